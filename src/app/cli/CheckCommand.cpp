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
#include "stemdeck/common/Error.h"
#include "stemdeck/set/Check.h"
#include "stemdeck/set/RunningOrder.h"
#include "stemdeck/set/SetFile.h"

namespace fs = std::filesystem;

namespace stemdeck::app {

namespace {

/// Tonight's running order for the set: the one asked for (--order: a problem is an error), else
/// the one play saved beside the set, if any (a problem is a warning: play starts without it).
void checkOrder(set::CheckReport& report, const std::string& source, const std::string& orderFile) {
    if (orderFile.empty() && !set::isSetFileName(source)) return;
    if (!set::isSetFileName(source)) {
        report.setFindings.push_back({set::Severity::error, orderFile, "a running order needs a set file",
                                      "give the set file the order is for"});
        return;
    }
    std::error_code ec;
    const fs::path file = orderFile.empty() ? set::runningOrderFile(source) : fs::path(orderFile);
    if (orderFile.empty() && !fs::exists(file, ec)) return;
    try {
        const set::SetFile setFile = set::loadSetFile(source);
        const set::OrderFile o = set::loadRunningOrder(file, setFile.songs, setFile.file);
        if (o.order.after(-1) < 0)
            report.setFindings.push_back({orderFile.empty() ? set::Severity::warning : set::Severity::error,
                                          file.string(), "tonight's running order has no song left to play",
                                          "un-skip a song (or mark one not played) in the file"});
    } catch (const Error& e) {
        report.setFindings.push_back({orderFile.empty() ? set::Severity::warning : set::Severity::error, file.string(),
                                      e.what(),
                                      orderFile.empty() ? "play starts with the set's order unless --order names "
                                                          "this file; fix it or delete it"
                                                        : "fix the running order file, or play without --order"});
    }
}

int runCheck(const std::string& source, bool json, const std::string& orderFile) {
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
    set::CheckReport report = set::checkSource(source, progress, mappingCheck());
    checkOrder(report, source, orderFile);
    if (bar) std::fprintf(stderr, "\r\x1b[K");
    std::cout << (json ? checkReportJson(report) : formatCheckReport(report));
    return report.count(set::Severity::error) == 0 ? 0 : 1; // a delivery defect fails, even one the set plays through
}

} // namespace

Subcommand addCheckCommand(CLI::App& app) {
    struct Args {
        std::string source;
        bool json = false;
        std::string order;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("check", "Check a stem folder or a set file against the delivery conventions");
    cmd->add_option("SOURCE", a->source, "A stem folder (one song) or a set file (sets/*.yaml)")->required();
    cmd->add_flag("--json", a->json, "Print the report as JSON (for tools)");
    cmd->add_option("--order", a->order,
                    "A running order for the set (play --order FILE) to check; without it, the one play saved "
                    "beside the set (NAME.order.yaml), if there is one");
    return {cmd, [a] { return runCheck(a->source, a->json, a->order); }};
}

} // namespace stemdeck::app
