#include "stemdeck/app/Preflight.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "stemdeck/common/Error.h"
#include "stemdeck/common/IoWatch.h"
#include "stemdeck/common/Text.h"
#include "stemdeck/app/Shipped.h"
#include "stemdeck/midi/Mapping.h"

namespace fs = std::filesystem;

namespace stemdeck::app {

namespace {
struct Cancelled {}; // thrown from the progress callback: unwinds the check (not a stemdeck::Error)

std::string findingLine(const set::Finding& f, const std::string& where) {
    // A finding whose text starts with its file (a set file's "file:line:col: …") names it once.
    const std::string what = oneLine(f.what), file = oneLine(f.file);
    return std::string(f.severity == set::Severity::error ? "error: " : "warning: ") + where +
           (what.rfind(file, 0) == 0 ? "" : file + ": ") + what + " - fix: " + oneLine(f.fix);
}
} // namespace

set::ControllerCheck mappingCheck() {
    return [](const fs::path& mapping) {
        try {
            if (isMappingName(mapping.string())) { // a set's controller by name
                if (std::string missing = namedMappingProblem(mapping.string()); !missing.empty()) return missing;
                (void)midi::loadMapping(locateMapping(mapping.string()).read);
                return std::string();
            }
            (void)midi::loadMapping(mapping);
            return std::string();
        } catch (const Error& e) {
            return std::string(e.what());
        }
    };
}

std::vector<std::string> problemLines(const set::CheckReport& r) {
    std::vector<std::string> lines;
    // Every error before any warning: a screen shows the first lines.
    for (const set::Severity severity : {set::Severity::error, set::Severity::warning}) {
        for (const set::Finding& f : r.setFindings)
            if (f.severity == severity) lines.push_back(findingLine(f, ""));
        for (std::size_t i = 0; i < r.songs.size(); ++i)
            for (const set::Finding& f : r.songs[i].findings)
                if (f.severity == severity)
                    lines.push_back(
                        findingLine(f, "song " + std::to_string(i + 1) + " '" + oneLine(r.songs[i].title) + "': "));
    }
    return lines;
}

std::string checkSummary(const set::CheckReport& r) {
    const int errors = r.count(set::Severity::error), warnings = r.count(set::Severity::warning);
    const auto songs = static_cast<int>(r.songs.size());
    auto plural = [](int n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); };
    std::string verdict;
    switch (r.verdict()) {
    case set::SetVerdict::asDelivered: verdict = "the set can play"; break;
    case set::SetVerdict::playsWithErrors:
        verdict = "the set plays, not all as delivered; fix the errors before the show";
        break;
    case set::SetVerdict::cannotPlay: verdict = "fix the errors before the show"; break;
    case set::SetVerdict::someSongsCannot:
        verdict = std::to_string(r.playableSongs()) + " of " + std::to_string(songs) +
                  " songs can play; fix the errors before the show";
        break;
    }
    return "check: " + plural(songs, "song") + ", " + plural(errors, "error") + ", " + plural(warnings, "warning") +
           ": " + verdict;
}

Preflight::Preflight(std::vector<fs::path> sources) {
    worker_ = std::thread([this, s = std::move(sources)]() mutable { run(std::move(s)); });
}

Preflight::~Preflight() {
    cancel_.store(true);
    if (worker_.joinable()) worker_.join();
}

std::optional<Preflight::Result> Preflight::result() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return result_;
}

std::string Preflight::progress() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return progress_;
}

void Preflight::run(std::vector<fs::path> sources) {
    // The show's disk thread reads the same disk: this one yields to everything (CPU and I/O).
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    (void)setpriority(PRIO_PROCESS, tid, 19);
    (void)syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, static_cast<int>(tid), (3 << 13) /* idle class */);
    set::CheckReport all;
    const IoCancelScope stopping(cancel_); // told to stop, it does not wait out a stalled share
    try {
        const set::CheckProgress progress = [this](const fs::path& file, std::uint64_t done, std::uint64_t total) {
            if (cancel_.load()) throw Cancelled{};
            const int pct =
                total > 0 ? static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)) : 0;
            const std::lock_guard<std::mutex> lock(mutex_);
            progress_ = "checking " + oneLine(file.filename().string()) + " (" + std::to_string(pct) + "%)";
        };
        for (const fs::path& source : sources) {
            set::CheckReport r = set::checkSource(source, progress, mappingCheck());
            if (sources.size() == 1) {
                all = std::move(r);
                break;
            }
            all.source = source;
            for (set::Finding& f : r.setFindings)
                all.setFindings.push_back(std::move(f));
            for (set::SongReport& s : r.songs)
                all.songs.push_back(std::move(s));
        }
    } catch (const Cancelled&) {
        return;
    } catch (const IoCancelled&) {
        return;
    } catch (const std::exception& e) { // never a reason to stop the show
        const std::lock_guard<std::mutex> lock(mutex_);
        result_ = Result{"check: could not run (" + oneLine(e.what()) + ")", {}, 0, 0};
        return;
    }
    Result r;
    r.summary = checkSummary(all);
    r.problems = problemLines(all);
    r.errors = all.count(set::Severity::error);
    r.warnings = all.count(set::Severity::warning);
    const std::lock_guard<std::mutex> lock(mutex_);
    result_ = std::move(r);
}

} // namespace stemdeck::app
