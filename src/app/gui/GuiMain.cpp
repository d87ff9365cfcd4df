// stemdeck-gui: the stage screen. The same options as `stemdeck play`; the same LiveSession.
#include <juce_gui_basics/juce_gui_basics.h>

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "StageView.h"
#include "stemdeck/app/Settings.h"
#include "stemdeck/Error.h"

namespace stemdeck::app {
/// Creates the window-manager atoms JUCE needs on a display without a window manager
/// (XDisplay.cpp: Xlib's macros must stay out of the JUCE code). False if it cannot be opened.
bool prepareDisplay();
} // namespace stemdeck::app

namespace {
std::atomic<bool> gStop{false};

void onSignal(int) {
    gStop.store(true);
}

/// The settings file fills in what the command line left out (and wins over the set file's audio).
void applySettings(stemdeck::app::PlayArgs& a, const stemdeck::app::LiveSettings& s) {
    if (a.device.driver.empty() && s.driver) a.device.driver = *s.driver;
    if (a.device.device.empty() && s.device) a.device.device = *s.device;
    if (!a.device.sampleRate && s.rate) a.device.sampleRate = s.rate;
    if (!a.device.blockFrames && s.block) a.device.blockFrames = s.block;
    if (!a.mainOut && s.mainOut) a.mainOut = s.mainOut;
    if (!a.clickOut && s.clickOut) a.clickOut = s.clickOut;
    if (a.stemOuts.empty()) a.stemOuts = s.stemOuts;
    if (a.controller.empty() && s.controller) a.controller = *s.controller;
    if (a.midiPort.empty() && s.midiPort) a.midiPort = *s.midiPort;
    if (a.midiApi.empty() && s.midiApi) a.midiApi = *s.midiApi;
}

class StageWindow final : public juce::DocumentWindow {
public:
    StageWindow(stemdeck::app::LiveSession& session, juce::Component* view)
        : juce::DocumentWindow("stemdeck", juce::Colour(0xff101214), juce::DocumentWindow::allButtons),
          session_(session) {
        setUsingNativeTitleBar(false);
        setContentNonOwned(view, true);
        setResizable(true, false);
        setTopLeftPosition(0, 0);
        setVisible(true);
    }
    void closeButtonPressed() override { session_.quit(); } // fades out, then the loop ends

private:
    stemdeck::app::LiveSession& session_;
};
} // namespace

int main(int argc, char** argv) {
    using namespace stemdeck;
    CLI::App app{"stemdeck-gui: the stage screen (the same options as stemdeck play)"};
    app::PlayArgs args;
    app::addPlayOptions(app, args);
    app.set_version_flag("--version", "stemdeck-gui " STEMDECK_VERSION);
    CLI11_PARSE(app, argc, argv);
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    try {
        if (!app::prepareDisplay()) {
            std::cerr << "stemdeck-gui: cannot open the display"
                      << (std::getenv("DISPLAY") ? " '" + std::string(std::getenv("DISPLAY")) + "'"
                                                 : " (DISPLAY is not set)")
                      << "; use 'stemdeck play' in a terminal\n";
            return 1;
        }
        const std::filesystem::path settingsFile = app::defaultSettingsPath();
        app::LiveSettings settings;
        try {
            settings = app::loadLiveSettings(settingsFile);
        } catch (const Error& e) { // a broken settings file never stops the show
            std::cerr << "stemdeck-gui: settings ignored: " << e.what() << "\n";
        }
        applySettings(args, settings);
        juce::ScopedJuceInitialiser_GUI juce;
        app::LiveSession session(args, true, std::cerr);
        if (!session.open()) {
            std::cerr << "stemdeck-gui: no audio output device on this machine (no ALSA card, no JACK server); "
                         "use 'stemdeck render' to hear the set as a WAV file\n";
            return app::kExitNoDevice;
        }
        std::cerr << "stemdeck-gui: playing " << session.songs().size() << " song(s) on " << session.deviceDescription()
                  << "; " << session.routingDescription() << "\n";
        app::StageView view(session, settings, settingsFile);
        StageWindow window(session, &view);
        view.grabKeyboardFocus();
        session.start();
        // Signals: checked from the message loop.
        struct SignalWatch final : juce::Timer {
            app::LiveSession& s;
            explicit SignalWatch(app::LiveSession& session) : s(session) { startTimer(50); }
            void timerCallback() override {
                if (gStop.load()) s.quit();
            }
        } watch(session);
        juce::MessageManager::getInstance()->runDispatchLoop();
        // What is still open over the stage (the settings dialog) goes now, while JUCE runs: left
        // to JUCE's shutdown, it was deleted after the timer thread it unregisters from (a crash).
        for (int i = juce::TopLevelWindow::getNumTopLevelWindows(); --i >= 0;)
            if (auto* dialog = dynamic_cast<juce::DialogWindow*>(juce::TopLevelWindow::getTopLevelWindow(i)))
                delete dialog;
        session.close();
        for (const std::string& line : session.takeMessages())
            std::cerr << "stemdeck-gui: " << line << "\n";
        std::cerr << "stemdeck-gui: " << session.summary() << std::endl;
        return 0;
    } catch (const Error& e) {
        std::cerr << "stemdeck-gui: error: " << e.what() << "\n";
        return 1;
    }
}
