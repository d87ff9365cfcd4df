// stemdeck check: a stem folder or a set file against the delivery conventions, with a progress
// bar on a terminal, as a table or as JSON.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "stemdeck/app/CheckReport.h"
#include "stemdeck/app/Commands.h"
#include "stemdeck/app/Preflight.h"
#include "stemdeck/set/Check.h"

namespace fs = std::filesystem;

namespace stemdeck::app {

namespace {

int runCheck(const std::string& source, bool json) {
    const bool bar = !json && isatty(STDERR_FILENO) != 0;
    auto last = std::chrono::steady_clock::now();
    set::CheckProgress progress;
    if (bar)
        progress = [&](const fs::path& file, std::uint64_t done, std::uint64_t total) {
            const auto now = std::chrono::steady_clock::now();
            if (now - last < std::chrono::milliseconds(100) && done < total) return;
            last = now;
            const int width = 30;
            const int filled =
                total > 0 ? static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * width) : 0;
            std::fprintf(stderr, "\r[%s%s] %3d%% %-40.40s",
                         std::string(static_cast<std::size_t>(std::min(filled, width)), '#').c_str(),
                         std::string(static_cast<std::size_t>(width - std::min(filled, width)), '.').c_str(),
                         total > 0 ? static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total))
                                   : 0,
                         file.filename().c_str());
        };
    const set::CheckReport report = set::checkSource(source, progress, mappingCheck());
    if (bar) std::fprintf(stderr, "\r\x1b[K");
    std::cout << (json ? checkReportJson(report) : formatCheckReport(report));
    return report.count(set::Severity::error) == 0 ? 0 : 1; // a delivery defect fails, even one the set plays through
}

} // namespace

Subcommand addCheckCommand(CLI::App& app) {
    struct Args {
        std::string source;
        bool json = false;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("check", "Check a stem folder or a set file against the delivery conventions");
    cmd->add_option("SOURCE", a->source, "A stem folder (one song) or a set file (sets/*.yaml)")->required();
    cmd->add_flag("--json", a->json, "Print the report as JSON (for tools)");
    return {cmd, [a] { return runCheck(a->source, a->json); }};
}

} // namespace stemdeck::app
