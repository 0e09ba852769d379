// What only the fork model has to get right: a process per connection
// ({pid} differs per connection, and is neither ours nor the master's), a
// connection process killed with SIGKILL ends only its connection (and is a
// gone() for the room), no zombie is left behind, a connection process
// holds no descriptor but its connection and a clean signal mask, and
// stop_accepting(model::CloseReason::shutdown) closes the master's copy of the listening socket.

#include "driver_test.hpp"
#include "model/fork/driver.hpp"
#include "model/fork/master.hpp"
#include "model/thread_name.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

namespace netcook::test {
namespace {

using namespace std::chrono_literals;

class ForkModelTest : public DriverTest {};

struct ProcessStat {
  pid_t pid = 0;
  char state = '?';
  pid_t parent = 0;
};

std::vector<ProcessStat> all_processes() {
  std::vector<ProcessStat> processes;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return processes;
  while (const dirent* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::ifstream file(std::string("/proc/") + entry->d_name + "/stat");
    std::string stat;
    if (!std::getline(file, stat)) continue;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    std::istringstream rest(stat.substr(stat.rfind(')') + 1));
    ProcessStat process;
    process.pid = std::stoi(entry->d_name);
    rest >> process.state >> process.parent;
    processes.push_back(process);
  }
  ::closedir(proc);
  return processes;
}

std::set<pid_t> master_children(char state = 0) {
  std::set<pid_t> pids;
  for (const auto& process : all_processes())
    if (process.parent == fork_master().pid() && (state == 0 || process.state == state))
      pids.insert(process.pid);
  return pids;
}

template <typename Condition>
bool eventually(Condition done) {
  const Deadline deadline(kWait);
  while (!done()) {
    if (deadline.expired()) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// Sends a line and returns the pid its "{pid} " prefix names, 0 on failure.
pid_t serving_pid(Client& client) {
  if (client.write_all("x\n") != IoStatus::ok) return 0;
  const std::string line = client.read_line();
  const auto space = line.find(' ');
  if (space == std::string::npos || line.substr(space) != " x\n") return 0;
  return static_cast<pid_t>(std::stol(line.substr(0, space)));
}

std::set<int> open_fds(pid_t pid) {
  std::set<int> fds;
  DIR* dir = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (dir == nullptr) return fds;
  while (const dirent* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') fds.insert(std::stoi(entry->d_name));
  ::closedir(dir);
  return fds;
}

// What descriptor `fd` of `pid` is: "socket", "anon_inode:[signalfd]", a path.
std::string fd_kind(pid_t pid, int fd) {
  char target[256] = {};
  const std::string link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
  const ssize_t length = ::readlink(link.c_str(), target, sizeof target - 1);
  const std::string text(target, length > 0 ? static_cast<std::size_t>(length) : 0);
  return text.rfind("socket:", 0) == 0 ? "socket" : text;
}

// User plus system CPU time of a process, in clock ticks.
long cpu_ticks(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(file, stat);
  std::istringstream rest(stat.substr(stat.rfind(')') + 1));
  std::string field;
  for (int i = 3; i < 14; ++i) rest >> field;  // up to minflt..cmajflt
  long user = 0, system = 0;
  rest >> user >> system;
  return user + system;
}

std::string status_field(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(field + ":", 0) == 0) return line.substr(line.find_first_not_of(" \t", field.size() + 1));
  return {};
}

TEST_P(ForkModelTest, EachConnectionHasItsOwnProcess) {
  start("prefix:{pid} ");
  auto first = Client::connect(port_);
  auto second = Client::connect(port_);
  const pid_t one = serving_pid(first);
  const pid_t two = serving_pid(second);
  ASSERT_NE(one, 0);
  ASSERT_NE(two, 0);
  EXPECT_NE(one, two);
  EXPECT_NE(one, ::getpid());
  EXPECT_NE(one, fork_master().pid());
  EXPECT_EQ(master_children(), (std::set<pid_t>{one, two}));
  EXPECT_EQ(serving_pid(first), one);  // the same process serves the whole connection
}

// The fixture names the listener after its test protocol's spec.
TEST_P(ForkModelTest, ProcessIsNamedAfterTheListener) {
  const std::string spec = "prefix:{pid} {thread} ";
  start(spec);
  auto client = Client::connect(port_);
  ASSERT_EQ(client.write_all("x\n"), IoStatus::ok);
  const std::string line = client.read_line();
  std::istringstream words(line);
  std::string pid, thread;
  words >> pid >> thread;
  EXPECT_EQ(thread, model::connection_thread_name(spec, std::stoul(pid))) << line;
  std::ifstream comm("/proc/" + pid + "/comm");
  std::string name;
  std::getline(comm, name);
  EXPECT_EQ(name, thread);
}

TEST_P(ForkModelTest, KillNineEndsOnlyThatConnectionAndLeavesNoZombie) {
  start("prefix:{pid} ");
  auto victim = Client::connect(port_);
  auto survivor = Client::connect(port_);
  const pid_t doomed = serving_pid(victim);
  const pid_t kept = serving_pid(survivor);
  ASSERT_NE(doomed, 0);
  ASSERT_NE(kept, 0);
  ASSERT_EQ(::kill(doomed, SIGKILL), 0);
  EXPECT_EQ(victim.wait_closed(), IoStatus::closed);
  EXPECT_EQ(serving_pid(survivor), kept);
  auto newcomer = Client::connect(port_);
  EXPECT_NE(serving_pid(newcomer), 0);
  EXPECT_TRUE(eventually([&] { return !master_children().contains(doomed); }))
      << "process " << doomed << " was not reaped";
  EXPECT_TRUE(master_children('Z').empty());
  EXPECT_TRUE(eventually([&] { return driver_->connections() == 2; }));
}

TEST_P(ForkModelTest, KilledRoomMemberIsGoneForTheOthers) {
  start("room");
  auto victim = Client::connect(port_);
  ASSERT_EQ(victim.read_line().substr(0, 6), "hello ");
  const std::set<pid_t> before = master_children();
  ASSERT_EQ(before.size(), 1u);
  auto stays = Client::connect(port_);
  ASSERT_EQ(stays.read_line().substr(0, 6), "hello ");
  ASSERT_EQ(::kill(*before.begin(), SIGKILL), 0);
  EXPECT_EQ(stays.read_line(), "gone 1\n");
  EXPECT_EQ(victim.wait_closed(), IoStatus::closed);
  auto newcomer = Client::connect(port_);
  ASSERT_EQ(newcomer.read_line().substr(0, 6), "hello ");
  stays.write_all("hi\n");
  EXPECT_NE(newcomer.read_line().find(": hi"), std::string::npos);
}

// A connection process keeps stdio and its connection, nothing else (no
// listening socket, no other client, no control socket); SIGTERM, the
// master's request to end, is caught and blocked but while the process
// waits; SIGPIPE is ignored.
TEST_P(ForkModelTest, ConnectionProcessHoldsOnlyItsConnection) {
  start("prefix:{pid} ");
  auto client = Client::connect(port_);
  auto other = Client::connect(port_);
  const pid_t pid = serving_pid(client);
  ASSERT_NE(serving_pid(other), 0);
  ASSERT_NE(pid, 0);
  std::set<int> fds = open_fds(pid);
  std::erase_if(fds, [](int fd) { return fd <= 2; });
  std::multiset<std::string> kinds;
  for (const int fd : fds)  // all but its logger's file
    if (fd_kind(pid, fd) != LogCapture::fork_log_path()) kinds.insert(fd_kind(pid, fd));
  EXPECT_EQ(kinds, (std::multiset<std::string>{"socket"}));
  const auto bit = [](int signal) { return 1ull << (signal - 1); };
  const auto blocked = std::stoull(status_field(pid, "SigBlk"), nullptr, 16);
  EXPECT_EQ(blocked & ~bit(SIGTERM), 0u);  // SIGTERM too, unless the process is in ppoll
  EXPECT_NE(std::stoull(status_field(pid, "SigCgt"), nullptr, 16) & bit(SIGTERM), 0u);
  const auto ignored = std::stoull(status_field(pid, "SigIgn"), nullptr, 16);
  EXPECT_NE(ignored & bit(SIGPIPE), 0u);
  EXPECT_EQ(ignored & bit(SIGTERM), 0u);
}

TEST_P(ForkModelTest, StopAcceptingClosesTheMastersCopyOfTheSocket) {
  start("echo");
  auto client = Client::connect(port_);
  EXPECT_EQ(client.exchange("a"), "a");
  driver_->stop_accepting(model::CloseReason::shutdown);
  socket_.reset();
  EXPECT_EQ(Client::try_connect(port_).error, ECONNREFUSED);
  EXPECT_EQ(client.exchange("b"), "b");
}

// The master out of descriptors: accept fails with EMFILE, the master backs
// off instead of spinning on the readable socket, and serves the waiting
// client once descriptors are available again.
TEST_P(ForkModelTest, AcceptBacksOffWhenTheMasterRunsOutOfDescriptors) {
  start("echo");
  const pid_t master = fork_master().pid();
  const std::set<int> fds = open_fds(master);
  int lowest_free = 0;
  while (fds.contains(lowest_free)) ++lowest_free;
  rlimit saved{};
  ASSERT_EQ(::prlimit(master, RLIMIT_NOFILE, nullptr, &saved), 0);
  rlimit starved = saved;
  starved.rlim_cur = static_cast<rlim_t>(lowest_free);
  ASSERT_EQ(::prlimit(master, RLIMIT_NOFILE, &starved, nullptr), 0);

  auto waiting = Client::connect(port_);  // completes in the kernel's backlog
  ASSERT_EQ(waiting.write_all("x"), IoStatus::ok);
  const long before = cpu_ticks(master);
  EXPECT_EQ(waiting.read_exact(1, 1000ms), "");  // not served
  const long spent = cpu_ticks(master) - before;
  EXPECT_LT(spent, ::sysconf(_SC_CLK_TCK) / 10) << "the master spun for " << spent << " ticks";

  ASSERT_EQ(::prlimit(master, RLIMIT_NOFILE, &saved, nullptr), 0);
  EXPECT_EQ(waiting.read_exact(1), "x");
}

INSTANTIATE_TEST_SUITE_P(Fork, ForkModelTest,
                         testing::Values(ModelCase{"fork", make_fork, 1}),
                         case_name);

}  // namespace
}  // namespace netcook::test
