#pragma once
// The preflight: `stemdeck check`'s rules run over the set in the background while the show
// waits (for its device, or armed for play), so the problems are on the screen before song 1.
#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "stemdeck/set/Check.h"

namespace stemdeck::app {

/// @thread any. check's controller rule: "" when the mapping file parses, else what is wrong.
[[nodiscard]] set::ControllerCheck mappingCheck();

/// One line per problem, for a screen: "error: song 2 'Intro': 02_Bass.wav: … — fix: …".
[[nodiscard]] std::vector<std::string> problemLines(const set::CheckReport& report);

/// "check: 3 songs, 0 errors, 1 warning: the set can play".
[[nodiscard]] std::string checkSummary(const set::CheckReport& report);

class Preflight {
public:
    struct Result {
        std::string summary;               ///< checkSummary()
        std::vector<std::string> problems; ///< problemLines()
        int errors = 0, warnings = 0;
    };

    /// @thread control. Starts checking the set file, or each song folder, on a thread of its own
    /// at the lowest CPU and disk priority (the show's disk thread comes first).
    explicit Preflight(std::vector<std::filesystem::path> sources);
    /// Stops the check at its next file chunk and waits for its thread.
    ~Preflight();
    Preflight(const Preflight&) = delete;
    Preflight& operator=(const Preflight&) = delete;

    /// @thread control. The result once the check is done.
    [[nodiscard]] std::optional<Result> result() const;
    /// @thread control. "checking 04_Keys.wav (37%)" while it runs.
    [[nodiscard]] std::string progress() const;

private:
    void run(std::vector<std::filesystem::path> sources);
    mutable std::mutex mutex_;
    std::optional<Result> result_;
    std::string progress_;
    std::atomic<bool> cancel_{false};
    std::thread worker_;
};

} // namespace stemdeck::app
