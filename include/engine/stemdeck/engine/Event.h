#pragma once
// What the audio thread reports back to the control side.
#include <cstdint>
#include <type_traits>

namespace stemdeck::engine {

enum class EventType : std::uint8_t {
    transportStarted, ///< playback began (songFrame = where)
    transportStopped, ///< the stop fade finished (songFrame = where)
    songEnded,        ///< the play head reached the end of the longest stem
    commandApplied,   ///< a command took effect (action, stem, at frame/songFrame)
    commandDropped,   ///< the pending list was full; the command was not applied
    underrun,         ///< a stem could not supply its range; it played silence there
    songChanged,      ///< ran on into the cued song (frame = its first frame); the old one may be freed
    songRetimed,      ///< a retime is done, its crossfade too: the view it replaced (and its sources) may be freed
    oscCue,           ///< an OSC cue of the song is due now (cue = its index in the control side's list)
};

/// One event, stamped with the engine output frame and the song frame it happened at.
struct Event {
    EventType type = EventType::transportStarted;
    std::uint8_t action = 0; ///< the Action, for commandApplied / commandDropped
    std::int8_t stem = -1;
    std::int64_t frame = 0;     ///< engine output frame (frames processed since prepare)
    std::int64_t songFrame = 0; ///< transport position
    std::int32_t song = -1;     ///< SongView::id of the song playing (after the change, for songChanged)
    std::int32_t cue = -1;      ///< oscCue: which
};
static_assert(std::is_trivially_copyable_v<Event>);

} // namespace stemdeck::engine
