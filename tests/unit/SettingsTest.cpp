#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "../support/TestSupport.h"
#include "stemdeck/app/Settings.h"
#include "stemdeck/app/Shipped.h"
#include "stemdeck/midi/Learn.h"
#include "stemdeck/common/Error.h"

using namespace stemdeck;
using namespace stemdeck::control;
using namespace stemdeck::app;

TEST_CASE("GUI settings: parsed, written atomically and read back the same", "[unit][settings]") {
    test::TempDir dir;
    const auto file = dir / "config" / "stemdeck" / "gui.yaml"; // the folders are made as needed
    CHECK(loadLiveSettings(file).driver == std::nullopt);       // no file yet: nothing set
    LiveSettings s;
    s.driver = "jack";
    s.device = "Scarlett \"2i2\"";
    s.rate = 48000;
    s.block = 128;
    s.mainOut = 3;
    s.clickOut = 1;
    s.stemOuts = {"drums=5", "2=7"};
    s.controller = "controllers/akai-apc-mini-mk2.yaml";
    s.midiPort = "APC";
    s.midiApi = "alsa";
    saveLiveSettings(s, file);
    const LiveSettings back = loadLiveSettings(file);
    CHECK(back.driver == s.driver);
    CHECK(back.device == s.device);
    CHECK(back.rate == 48000);
    CHECK(back.block == 128);
    CHECK(back.mainOut == 3);
    CHECK(back.clickOut == 1);
    CHECK(back.stemOuts == s.stemOuts);
    CHECK(back.controller == s.controller);
    CHECK(back.midiPort == s.midiPort);
    CHECK(back.midiApi == s.midiApi);
    int files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(file.parent_path()))
        ++files;
    CHECK(files == 1); // no temporary file left beside it
}

TEST_CASE("GUI settings: mistakes name the file, line and setting", "[unit][settings]") {
    CHECK_THROWS_WITH(parseLiveSettings("driver: jack\nblok: 128\n", "gui.yaml"),
                      Catch::Contains("gui.yaml:2:1") && Catch::Contains("did you mean 'block'"));
    CHECK_THROWS_WITH(parseLiveSettings("rate: fast\n", "gui.yaml"), Catch::Contains("rate is a whole number"));
    CHECK_THROWS_WITH(parseLiveSettings("driver: pulse\n", "gui.yaml"), Catch::Contains("alsa or jack"));
    CHECK_THROWS_WITH(parseLiveSettings("[1, 2", "gui.yaml"), Catch::Contains("not valid YAML"));
    CHECK(parseLiveSettings("", "gui.yaml").rate == std::nullopt);
}

TEST_CASE("GUI settings live in XDG_CONFIG_HOME, else ~/.config", "[unit][settings]") {
    const char* saved = std::getenv("XDG_CONFIG_HOME");
    const std::string keep = saved != nullptr ? saved : "";
    setenv("XDG_CONFIG_HOME", "/tmp/xdg-test", 1);
    CHECK(defaultSettingsPath() == std::filesystem::path("/tmp/xdg-test/stemdeck/gui.yaml"));
    unsetenv("XDG_CONFIG_HOME");
    CHECK(defaultSettingsPath().string().ends_with("/.config/stemdeck/gui.yaml"));
    if (saved != nullptr) setenv("XDG_CONFIG_HOME", keep.c_str(), 1);
}

TEST_CASE("A controller by name: the user's mapping, else the shipped one (learned into the user's copy)",
          "[unit][settings]") {
    test::TempDir dir;
    const char* saved = std::getenv("XDG_CONFIG_HOME");
    const std::string keep = saved != nullptr ? saved : "";
    setenv("XDG_CONFIG_HOME", dir.path().c_str(), 1);
    const std::filesystem::path shipped =
        std::filesystem::path(STEMDECK_SOURCE_DIR) / "controllers" / "akai-apc-mini-mk2.yaml";
    const std::filesystem::path user = dir / "stemdeck" / "controllers" / "akai-apc-mini-mk2.yaml";
    // Run from the build tree, the shipped files are the source tree's.
    CHECK(shareDir() == std::filesystem::path(STEMDECK_SOURCE_DIR));
    const std::vector<std::string> names = shippedControllers();
    CHECK(std::find(names.begin(), names.end(), "akai-apc-mini-mk2") != names.end());
    CHECK(std::find(names.begin(), names.end(), "korg-nanokontrol2") != names.end());

    MappingFiles f = locateMapping("akai-apc-mini-mk2");
    CHECK(f.read == shipped);
    CHECK(f.write == user);
    midi::Mapping m = openMapping("akai-apc-mini-mk2");
    CHECK(!m.bindings.empty());
    CHECK(m.file == user);
    // Learning saves the user's copy (the folders made on the way); the shipped file is untouched.
    const auto before = std::filesystem::last_write_time(shipped);
    midi::saveMapping(m, m.file);
    CHECK(std::filesystem::exists(user));
    CHECK(std::filesystem::last_write_time(shipped) == before);
    f = locateMapping("akai-apc-mini-mk2"); // from now on the user's copy comes first
    CHECK(f.read == user);
    CHECK(f.write == user);

    // A path is used as given; an unknown name is a new mapping of the user's.
    f = locateMapping("controllers/mine.yaml");
    CHECK(f.read == "controllers/mine.yaml");
    CHECK(f.write == "controllers/mine.yaml");
    f = locateMapping("mine.yaml");
    CHECK(f.read == "mine.yaml");
    f = locateMapping("my-pads");
    CHECK(f.read == dir / "stemdeck" / "controllers" / "my-pads.yaml");
    CHECK(openMapping("my-pads").bindings.empty());
    if (saved != nullptr)
        setenv("XDG_CONFIG_HOME", keep.c_str(), 1);
    else
        unsetenv("XDG_CONFIG_HOME");
}
