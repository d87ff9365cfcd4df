// stemdeck-gui: the stage screen. The same options as `stemdeck play`; the same LiveSession.
#include <juce_gui_basics/juce_gui_basics.h>

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "ShowScreens.h"
#include "StageView.h"
#include "stemdeck/app/PlayCommand.h"
#include "stemdeck/app/Preflight.h"
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
    /// `kiosk`: the whole screen, no title bar, not closable while the show is locked.
    StageWindow(stemdeck::app::LiveSession& session, bool kiosk)
        : juce::DocumentWindow("stemdeck", juce::Colour(0xff101214), kiosk ? 0 : juce::DocumentWindow::allButtons),
          session_(session), kiosk_(kiosk) {
        setUsingNativeTitleBar(false);
        if (kiosk_) setTitleBarHeight(0);
        setResizable(!kiosk_, false);
        setTopLeftPosition(0, 0);
    }
    /// Shows `view` (not owned); the window takes its size, or the whole screen in kiosk mode.
    void show(juce::Component* view) {
        setContentNonOwned(view, !kiosk_);
        if (!isVisible()) {
            setVisible(true);
            if (kiosk_) juce::Desktop::getInstance().setKioskModeComponent(this, false);
        }
        if (kiosk_) view->setBounds(getLocalBounds());
    }
    void closeButtonPressed() override { // the window manager's close (Alt-F4 in kiosk mode)
        if (kiosk_ && session_.locked()) {
            std::cerr << "stemdeck-gui: show locked: the window stays (type unlock first)" << std::endl;
            return;
        }
        if (session_.opened())
            session_.quit(); // fades out, then the loop ends
        else
            juce::MessageManager::getInstance()->stopDispatchLoop();
    }

private:
    stemdeck::app::LiveSession& session_;
    bool kiosk_;
};
} // namespace

int main(int argc, char** argv) {
    using namespace stemdeck;
    CLI::App app{"stemdeck-gui: the stage screen (the same options as stemdeck play)"};
    app::PlayArgs args;
    app::addPlayOptions(app, args);
    bool kiosk = false;
    app.add_flag("--kiosk", kiosk,
                 "The stage box's screen: the whole screen, no window decorations, the show lock on (keys, mouse, "
                 "settings and closing do nothing until 'unlock' is typed); the controller runs the show");
    app.set_version_flag("--version", "stemdeck-gui " STEMDECK_VERSION);
    CLI11_PARSE(app, argc, argv);
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    if (kiosk) args.lock = true;
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
        // The set is checked while the show waits for its device, or armed for play.
        const app::Preflight preflight({args.sources.begin(), args.sources.end()});
        StageWindow window(session, kiosk);
        std::unique_ptr<app::StageView> stage;
        std::unique_ptr<app::WaitingView> waiting;
        std::string fatal;
        auto toStage = [&] {
            std::cerr << "stemdeck-gui: playing " << session.songs().size() << " song(s) on "
                      << session.deviceDescription() << "; " << session.routingDescription() << "\n";
            stage = std::make_unique<app::StageView>(session, settings, settingsFile);
            stage->showPreflight(preflight);
            window.show(stage.get());
            window.toFront(true);
            stage->grabKeyboardFocus();
            session.start();
        };
        // With no device yet the window stays, says what it waits for, and starts when it is there.
        bool opened = false;
        std::string why;
        try {
            opened = session.open();
        } catch (const app::DeviceUnavailable& e) {
            why = e.what();
        }
        if (opened) {
            toStage();
        } else {
            waiting = std::make_unique<app::WaitingView>(
                session, preflight, app::waitedDevice(args.device),
                [&] {
                    toStage();
                    juce::MessageManager::callAsync([&] { waiting.reset(); });
                },
                [&](const std::string& message) {
                    fatal = message;
                    juce::MessageManager::getInstance()->stopDispatchLoop();
                });
            window.show(waiting.get());
        }
        // Signals: checked from the message loop.
        // The preflight's findings also go to the log (the service's journal), once.
        struct SignalWatch final : juce::Timer {
            app::LiveSession& s;
            const app::Preflight& preflight;
            bool logged = false;
            SignalWatch(app::LiveSession& session, const app::Preflight& p) : s(session), preflight(p) {
                startTimer(50);
            }
            void timerCallback() override {
                if (!logged)
                    if (const auto r = preflight.result()) {
                        logged = true;
                        std::cerr << "stemdeck-gui: " << r->summary << "\n";
                        for (const std::string& line : r->problems)
                            std::cerr << "stemdeck-gui: " << line << "\n";
                        std::cerr << std::flush;
                    }
                if (!gStop.load()) return;
                if (s.opened())
                    s.quit();
                else
                    juce::MessageManager::getInstance()->stopDispatchLoop();
            }
        } watch(session, preflight);
        juce::MessageManager::getInstance()->runDispatchLoop();
        // What is still open over the stage (the settings dialog) goes now, while JUCE runs: left
        // to JUCE's shutdown, it was deleted after the timer thread it unregisters from (a crash).
        for (int i = juce::TopLevelWindow::getNumTopLevelWindows(); --i >= 0;)
            if (auto* dialog = dynamic_cast<juce::DialogWindow*>(juce::TopLevelWindow::getTopLevelWindow(i)))
                delete dialog;
        if (kiosk) juce::Desktop::getInstance().setKioskModeComponent(nullptr);
        window.clearContentComponent();
        session.close();
        for (const std::string& line : session.takeMessages())
            std::cerr << "stemdeck-gui: " << line << "\n";
        if (!fatal.empty()) {
            std::cerr << "stemdeck-gui: error: " << fatal << std::endl;
            return 1;
        }
        std::cerr << "stemdeck-gui: " << session.summary() << std::endl;
        if (session.shutdownAsked()) {
            session.shutDown();
            for (const std::string& line : session.takeMessages())
                std::cerr << "stemdeck-gui: " << line << std::endl;
        }
        return 0;
    } catch (const Error& e) {
        std::cerr << "stemdeck-gui: error: " << e.what() << "\n";
        return 1;
    }
}
