// stemdeck check: a stem folder or a set file against the delivery conventions, with a progress
// bar on a terminal, as a table or as JSON.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "stemdeck/app/CheckReport.h"
#include "stemdeck/app/Loudness.h"
#include "stemdeck/common/Text.h"
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

struct CheckArgs {
    std::string source;
    bool json = false;
    std::string order;
    std::string loudness;        ///< --loudness match|off
    bool noLoudness = false;     ///< --no-loudness: not measured
    bool acceptLoudness = false; ///< --accept-loudness
};

/// Each song's loudness on its main output, and with loudness: match the trims (accepted if asked).
std::optional<LoudnessReport> checkLoudness(const set::CheckReport& report, const CheckArgs& a, bool bar) {
    if (a.noLoudness) {
        if (a.acceptLoudness) throw Error("--accept-loudness measures the songs: leave out --no-loudness");
        return std::nullopt;
    }
    auto say = [bar](const std::string& title) {
        if (bar) std::fprintf(stderr, "\r\x1b[Kmeasuring the loudness of %s", oneLine(title).c_str());
    };
    if (!set::isSetFileName(a.source)) {
        if (a.acceptLoudness || a.loudness == "match")
            throw Error(std::string(a.acceptLoudness ? "--accept-loudness" : "--loudness match") +
                        ": trims are a set's; give a set file");
        if (report.songs.empty() || report.songs.front().count(set::Severity::error) > 0) return std::nullopt;
        say(fs::path(a.source).filename().string());
        return measureFolderLoudness(a.source);
    }
    std::optional<set::SetFile> loaded;
    try {
        loaded = set::loadSetFile(a.source);
    } catch (const Error&) { // (the report says why; nothing to measure)
        if (a.acceptLoudness) throw;
        return std::nullopt;
    }
    set::SetFile& setFile = *loaded;
    takeLoudnessArg(a.loudness, setFile);
    // A song with an error is not measured: check could not read all of it (a file that stopped
    // answering would hang the render that measures it); fix it, then measure.
    std::vector<std::string> skip(setFile.songs.size());
    for (std::size_t i = 0; i < skip.size() && i < report.songs.size(); ++i)
        if (report.songs[i].count(set::Severity::error) > 0)
            skip[i] = "check found errors in it (above): fix them first";
    LoudnessReport r = measureSetLoudness(setFile, say, skip);
    if (a.acceptLoudness) {
        acceptLoudness(r);
        r = measureSetLoudness(setFile, say, skip); // (read back: the figures reused, the trims as accepted)
    }
    return r;
}

int runCheck(const CheckArgs& a) {
    const std::string& source = a.source;
    const bool json = a.json;
    const std::string& orderFile = a.order;
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
    const std::optional<LoudnessReport> loudness = checkLoudness(report, a, bar);
    if (bar) std::fprintf(stderr, "\r\x1b[K");
    if (json) {
        nlohmann::ordered_json j = nlohmann::ordered_json::parse(checkReportJson(report));
        j["loudness"] = loudness ? nlohmann::ordered_json::parse(loudnessJson(*loudness)) : nlohmann::ordered_json();
        std::cout << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    } else {
        std::cout << formatCheckReport(report);
        if (loudness) std::cout << "\n" << formatLoudness(*loudness);
    }
    return report.count(set::Severity::error) == 0 ? 0 : 1; // a delivery defect fails, even one the set plays through
}

} // namespace

Subcommand addCheckCommand(CLI::App& app) {
    auto a = std::make_shared<CheckArgs>();
    CLI::App* cmd = app.add_subcommand("check", "Check a stem folder or a set file against the delivery conventions");
    cmd->add_option("SOURCE", a->source, "A stem folder (one song) or a set file (sets/*.yaml)")->required();
    cmd->add_flag("--json", a->json, "Print the report as JSON (for tools)");
    cmd->add_option("--order", a->order,
                    "A running order for the set (play --order FILE) to check; without it, the one play saved "
                    "beside the set (NAME.order.yaml), if there is one");
    addLoudnessOption(*cmd, a->loudness);
    cmd->add_flag("--no-loudness", a->noLoudness,
                  "Do not measure the songs' loudness (each is rendered through the engine and measured: EBU R128)");
    cmd->add_flag("--accept-loudness", a->acceptLoudness,
                  "Accept the loudness trims shown (loudness: match): written beside the set (NAME.loudness.yaml), "
                  "played and rendered from then on");
    return {cmd, [a] { return runCheck(*a); }};
}

} // namespace stemdeck::app
