#include <catch2/catch.hpp>

#include "stemdeck/engine/Ramp.h"

using stemdeck::engine::Ramp;

TEST_CASE("Ramp reaches its target in exactly rampFrames equal steps", "[unit]") {
    Ramp r;
    r.prepare(100, 1.0f);
    r.setTarget(0.0f);
    float prev = r.current();
    for (int i = 0; i < 100; ++i) {
        const float v = r.next();
        CHECK(prev - v == Approx(0.01f).margin(1e-5));
        prev = v;
    }
    CHECK(r.current() == 0.0f);
    CHECK_FALSE(r.isRamping());
    CHECK(r.next() == 0.0f);
}

TEST_CASE("Ramp retargeted mid-way starts from where it is, with no jump", "[unit]") {
    Ramp r;
    r.prepare(10, 0.0f);
    r.setTarget(1.0f);
    for (int i = 0; i < 5; ++i)
        r.next();
    const float mid = r.current();
    CHECK(mid == Approx(0.5f));
    r.setTarget(0.0f);
    CHECK(r.next() == Approx(mid - mid / 10.0f));
    CHECK(r.remainingFrames() == 9);
}

TEST_CASE("Ramp skip lands where the same number of next() calls would", "[unit]") {
    Ramp a, b;
    a.prepare(64, 0.25f);
    b.prepare(64, 0.25f);
    a.setTarget(0.75f);
    b.setTarget(0.75f);
    for (int i = 0; i < 20; ++i)
        a.next();
    b.skip(20);
    CHECK(a.current() == Approx(b.current()).margin(1e-6));
    b.skip(1000);
    CHECK(b.current() == 0.75f);
    CHECK_FALSE(b.isRamping());
}

TEST_CASE("Setting the same target does not restart a finished ramp", "[unit]") {
    Ramp r;
    r.prepare(10, 0.0f);
    r.setTarget(0.0f);
    CHECK_FALSE(r.isRamping());
}
