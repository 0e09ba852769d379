#include "server_cpu.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace netcook::bench {

namespace {

/// Threads come and go between listing and reading; a missing file is not
/// an error, just a thread that ended.
bool read_schedstat(const std::filesystem::path& file, std::uint64_t& ns)
{
    std::ifstream in(file);
    std::string first;
    if (!(in >> first))
        return false;
    const auto [end, ec] = std::from_chars(first.data(), first.data() + first.size(), ns);
    return ec == std::errc{} && end == first.data() + first.size();
}

} // namespace

ServerCpu::ServerCpu(std::vector<pid_t> pids) : pids_(std::move(pids))
{
    for (const pid_t pid : pids_) {
        std::uint64_t ignored = 0;
        const auto file = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/schedstat";
        if (!read_schedstat(file, ignored))
            throw std::runtime_error("--server-pid " + std::to_string(pid) + ": cannot read " + file);
    }
}

ServerCpu::Sample ServerCpu::sample() const
{
    Sample result;
    for (const pid_t pid : pids_) {
        std::error_code ec;
        const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
        for (std::filesystem::directory_iterator it(tasks, ec), end; !ec && it != end; it.increment(ec)) {
            pid_t tid = 0;
            const auto name = it->path().filename().string();
            if (std::from_chars(name.data(), name.data() + name.size(), tid).ec != std::errc{})
                continue;
            std::uint64_t ns = 0;
            if (read_schedstat(it->path() / "schedstat", ns))
                result[tid] = ns;
        }
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
    for (const auto& [tid, ns] : end_) {
        const auto before = start_.find(tid);
        const std::uint64_t base = before == start_.end() ? 0 : before->second;
        // A reused tid whose counter went backwards counts nothing rather than wrapping.
        total += ns >= base ? ns - base : 0;
    }
    return total;
}

} // namespace netcook::bench
