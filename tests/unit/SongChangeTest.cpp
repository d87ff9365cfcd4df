// The song-change state machine on its own (no engine): what may be cued, what waits, what stays
// loaded, in the orders the engine's events really come in.
#include <catch2/catch.hpp>

#include "stemdeck/control/SongChange.h"

using stemdeck::control::SongChange;

TEST_CASE("A song change: cued, sent, arrived", "[unit][songchange]") {
    SongChange c;
    c.started(0);
    c.cue(1, false); // the next song, cued to follow
    CHECK(c.current() == 0);
    CHECK(c.cued() == 1);
    CHECK(c.holds(0));
    CHECK(c.holds(1));
    CHECK_FALSE(c.holds(2));
    CHECK_FALSE(c.busy());
    CHECK(c.heading() == 0);

    // "song 3": the cue is withdrawn in time, song 3 cued and sent.
    c.withdrawn(false);
    CHECK(c.cued() == -1);
    CHECK_FALSE(c.holds(1)); // free to unload
    c.sent(2);
    CHECK(c.busy());
    CHECK(c.changing() == 2);
    CHECK(c.heading() == 2); // "next" now counts from the song on its way
    CHECK(c.holds(2));

    CHECK_FALSE(c.arrived(2).has_value());
    CHECK(c.current() == 2);
    CHECK(c.changing() == -1);
    CHECK(c.cued() == -1); // the engine took it
    CHECK_FALSE(c.busy());
    CHECK_FALSE(c.holds(0));
}

TEST_CASE("Changes asked for while one is on its way wait, and the last one wins", "[unit][songchange]") {
    SongChange c;
    c.started(0);
    c.sent(1);
    CHECK(c.defer(3, true));
    CHECK(c.heading() == 3);
    CHECK(c.defer(4, false)); // pressed again before song 2 arrived
    CHECK(c.heading() == 4);
    const auto wanted = c.arrived(1);
    REQUIRE(wanted.has_value());
    CHECK(*wanted == SongChange::Wanted{4, false});
    CHECK(c.current() == 1);
    CHECK_FALSE(c.arrived(1).has_value()); // handed back once
    CHECK_FALSE(c.defer(2, true));         // nothing on its way: go ahead
}

TEST_CASE("A cue withdrawn too late is held until its songChanged, and blocks other changes", "[unit][songchange]") {
    SongChange c;
    c.started(0);
    c.cue(1, true); // run-on
    CHECK(c.runningOn());
    CHECK(c.isCued(1, true));
    CHECK_FALSE(c.isCued(1, false));
    c.withdrawn(true); // the audio thread had taken it already
    CHECK(c.taken() == 1);
    CHECK(c.cued() == -1);
    CHECK_FALSE(c.runningOn());
    CHECK(c.busy());
    CHECK(c.holds(1)); // the engine reads it: it must stay loaded
    CHECK(c.defer(5, true));
    const auto wanted = c.arrived(1);
    CHECK(c.taken() == -1);
    CHECK_FALSE(c.busy());
    REQUIRE(wanted.has_value());
    CHECK(wanted->song == 5);
    CHECK(wanted->play);
}

TEST_CASE("A dropped change frees the way and a run-on takes the cue itself", "[unit][songchange]") {
    SongChange c;
    c.started(0);
    c.sent(2);
    c.dropped(); // the engine did not apply Op::loadCued
    CHECK_FALSE(c.busy());
    CHECK(c.heading() == 0);

    SongChange r;
    r.started(0);
    r.cue(1, true);
    CHECK_FALSE(r.arrived(1).has_value()); // the song ended and ran on into its cue
    CHECK(r.current() == 1);
    CHECK(r.cued() == -1);
    CHECK_FALSE(r.holds(0));
}
