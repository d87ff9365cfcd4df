#pragma once
// The one error type the control side throws. The audio thread never throws.
#include <stdexcept>
#include <string>

namespace stemdeck {

/// A problem a user can fix: the message names the file (and line where there is one), what is
/// wrong and how to fix it. Thrown only on control / disk threads, never on the audio thread.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

} // namespace stemdeck
