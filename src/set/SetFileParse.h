#pragma once
// Private to src/set: the steps of reading a set file that its files share. SetFile.cpp reads the
// file as a whole (its keys, audio:, the songs: list), SetFileSongs.cpp one song of it,
// StoredScenes.cpp the stored scenes beside it (whose scenes read as a song's do).
#include <filesystem>
#include <string>
#include <string_view>

#include "stemdeck/set/SetFile.h"
#include "stemdeck/yaml/Yaml.h"

namespace stemdeck::set::detail {

/// The ASCII-lowercase form of a name: names (stems, scenes, markers, cue places) are compared by
/// it, case-insensitively.
[[nodiscard]] std::string foldCase(std::string_view name);

/// at_end: stop, next or run-on (a song's or the set's).
[[nodiscard]] SongEnd songEnd(const YAML::Node& n, const yaml::Reader& r);

/// A yes/no value (true, false, yes, no, on, off); else "WHAT is true or false".
[[nodiscard]] bool flag(const YAML::Node& n, const std::string& what, const yaml::Reader& r);

/// One entry of songs:, a path or a map; paths relative to `base`, the set file's folder. Throws
/// stemdeck::Error "FILE:LINE:COLUMN: …" for a problem with it.
[[nodiscard]] SetSong parseSong(const YAML::Node& n, const std::filesystem::path& base, const yaml::Reader& r);

/// One scene's body, { mute: [Drums], gain: { Bass: -6dB }, filter: { Keys: -0.5 } } (or empty),
/// as `name` in `slot`.
[[nodiscard]] SceneDef parseScene(const std::string& name, int slot, const YAML::Node& body, const yaml::Reader& r);

/// A song's cues: (after its markers, which `at: marker NAME` names).
void parseCues(const YAML::Node& n, SetSong& song, const yaml::Reader& r);

/// The set's midi_out: section.
[[nodiscard]] SetMidiOut parseMidiOut(const YAML::Node& n, const yaml::Reader& r);

/// The set's timecode: section.
[[nodiscard]] SetTimecode parseTimecode(const YAML::Node& n, const yaml::Reader& r);

/// The set's guides: section (`guides: on`, or a map); paths relative to `base`.
[[nodiscard]] SetGuides parseGuides(const YAML::Node& n, const std::filesystem::path& base, const yaml::Reader& r);

/// A song's guides: list of spoken cues on bars.
void parseSongGuides(const YAML::Node& n, SetSong& song, const yaml::Reader& r);

/// The set's loudness: section.
[[nodiscard]] SetLoudness parseLoudness(const YAML::Node& n, const yaml::Reader& r);

/// A song's own gain: (dB, on the main output).
void parseSongGain(const YAML::Node& n, SetSong& song, const yaml::Reader& r);

/// A song's own timecode: start.
void parseSongTimecode(const YAML::Node& n, SetSong& song, const yaml::Reader& r);

} // namespace stemdeck::set::detail
