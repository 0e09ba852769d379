#include "server_cpu.hpp"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>
#include <sstream>
#include <stdexcept>
#include <string>

namespace netcook::chatload {

namespace {

namespace fs = std::filesystem;

bool read_first_number(const fs::path& file, std::uint64_t& value)
{
    std::ifstream in(file);
    std::string first;
    if (!(in >> first))
        return false;
    const auto [end, ec] = std::from_chars(first.data(), first.data() + first.size(), value);
    return ec == std::errc{} && end == first.data() + first.size();
}

/// The fields of /proc/PID/stat after the command name (which may hold
/// spaces or parentheses): [0] is the state, [1] the parent pid.
std::vector<std::string> stat_fields(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(in, text); // one line
    const auto close = text.rfind(')');
    if (close == std::string::npos)
        return {};
    std::istringstream rest(text.substr(close + 1));
    return {std::istream_iterator<std::string>(rest), std::istream_iterator<std::string>()};
}

std::uint64_t to_number(const std::string& text)
{
    std::uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

/// The roots and every live process below them.
std::vector<pid_t> process_trees(const std::vector<pid_t>& roots)
{
    std::unordered_multimap<pid_t, pid_t> children;
    std::error_code ec;
    for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        pid_t pid = 0;
        if (std::from_chars(name.data(), name.data() + name.size(), pid).ec != std::errc{})
            continue;
        const auto fields = stat_fields(pid);
        if (fields.size() > 1)
            children.emplace(static_cast<pid_t>(to_number(fields[1])), pid);
    }
    std::vector<pid_t> found;
    std::vector<pid_t> todo(roots);
    while (!todo.empty()) {
        const pid_t pid = todo.back();
        todo.pop_back();
        found.push_back(pid);
        const auto [first, last] = children.equal_range(pid);
        for (auto it = first; it != last; ++it)
            todo.push_back(it->second);
    }
    return found;
}

} // namespace

ServerCpu::ServerCpu(std::vector<pid_t> pids) : pids_(std::move(pids))
{
    for (const pid_t pid : pids_) {
        std::uint64_t ignored = 0;
        const auto file = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/schedstat";
        if (!read_first_number(file, ignored))
            throw std::runtime_error("--server-pid " + std::to_string(pid) + ": cannot read " + file);
    }
}

ServerCpu::Sample ServerCpu::sample() const
{
    static const long ticks_per_s = ::sysconf(_SC_CLK_TCK);
    Sample result;
    for (const pid_t pid : process_trees(pids_)) {
        const fs::path tasks = "/proc/" + std::to_string(pid) + "/task";
        std::error_code ec;
        for (fs::directory_iterator it(tasks, ec), end; !ec && it != end; it.increment(ec)) {
            pid_t tid = 0;
            const auto name = it->path().filename().string();
            if (std::from_chars(name.data(), name.data() + name.size(), tid).ec != std::errc{})
                continue;
            std::uint64_t ns = 0;
            if (read_first_number(it->path() / "schedstat", ns))
                result.threads[tid] = ns;
        }
        const auto fields = stat_fields(pid); // [13], [14]: cutime, cstime in clock ticks
        if (fields.size() > 14 && ticks_per_s > 0)
            result.reaped_ns += (to_number(fields[13]) + to_number(fields[14])) * 1'000'000'000 /
                                static_cast<std::uint64_t>(ticks_per_s);
    }
    return result;
}

void ServerCpu::mark_start()
{
    start_ = sample();
}

void ServerCpu::mark_end()
{
    end_ = sample();
}

std::uint64_t ServerCpu::consumed_ns() const noexcept
{
    std::uint64_t total = 0;
    for (const auto& [tid, ns] : end_.threads) {
        const auto before = start_.threads.find(tid);
        const std::uint64_t base = before == start_.threads.end() ? 0 : before->second;
        // A reused tid whose counter went backwards counts nothing rather than wrapping.
        total += ns >= base ? ns - base : 0;
    }
    if (end_.reaped_ns > start_.reaped_ns)
        total += end_.reaped_ns - start_.reaped_ns;
    return total;
}

} // namespace netcook::chatload
