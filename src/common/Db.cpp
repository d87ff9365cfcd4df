#include "stemdeck/common/Db.h"

#include <cstdio>

namespace stemdeck {

std::string formatDb(double linear, const char* unit, bool plusSign) {
    if (linear <= 0.0) return std::string("-inf") + unit;
    char buf[48];
    std::snprintf(buf, sizeof buf, plusSign ? "%+.1f" : "%.1f", toDb(linear));
    return buf + std::string(unit);
}

} // namespace stemdeck
