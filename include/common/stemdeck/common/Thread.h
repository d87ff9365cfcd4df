#pragma once
// Naming threads, so that `top -H`, `perf`, gdb and crash dumps say who is who.
#include <pthread.h>

#include <string_view>

namespace stemdeck {

/// @thread the one named (not the audio thread: it is a system call). Linux keeps 15 characters.
inline void setThreadName(std::string_view name) noexcept {
    char cut[16] = {};
    name.copy(cut, sizeof cut - 1);
    pthread_setname_np(pthread_self(), cut);
}

} // namespace stemdeck
