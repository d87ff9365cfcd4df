// stemdeck-gui: the stage screen. The same options as `stemdeck play`; the same LiveSession.
#include <juce_gui_basics/juce_gui_basics.h>

#include <CLI/CLI.hpp>

#include <csignal>
#include <deque>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "ShowScreens.h"
#include "StageView.h"
#include "stemdeck/app/PlayCommand.h"
#include "stemdeck/app/Preflight.h"
#include "stemdeck/app/Settings.h"
#include "stemdeck/app/ShowRunner.h"
#include "stemdeck/common/Error.h"

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
    StageWindow(stemdeck::app::LiveSession& session, stemdeck::app::ShowRunner& runner, bool kiosk)
        : juce::DocumentWindow("stemdeck", juce::Colour(0xff101214), kiosk ? 0 : juce::DocumentWindow::allButtons),
          session_(session), runner_(runner), kiosk_(kiosk) {
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
        if (kiosk_ && runner_.phase() == stemdeck::app::ShowPhase::running && session_.locked()) {
            std::cerr << "stemdeck-gui: show locked: the window stays (type unlock first)" << std::endl;
            return;
        }
        runner_.quit(); // fades out (or stops waiting for the device), then the loop ends
    }

private:
    stemdeck::app::LiveSession& session_;
    stemdeck::app::ShowRunner& runner_;
    bool kiosk_;
};

/// The log (the service's journal) and the stage's message lines, signals, the end of the show;
/// the preflight's findings once.
struct Watch final : juce::Timer {
    stemdeck::app::ShowRunner& runner;
    const stemdeck::app::Preflight& preflight;
    std::unique_ptr<stemdeck::app::StageView>& stage;
    std::deque<std::string>& early;
    bool logged = false;
    Watch(stemdeck::app::ShowRunner& r, const stemdeck::app::Preflight& p, std::unique_ptr<stemdeck::app::StageView>& s,
          std::deque<std::string>& e)
        : runner(r), preflight(p), stage(s), early(e) {
        startTimer(50);
    }
    void timerCallback() override {
        for (std::string& line : runner.takeMessages()) {
            std::cerr << "stemdeck-gui: " << line << std::endl;
            if (stage) {
                stage->message(std::move(line));
            } else {
                early.push_back(std::move(line));
                if (early.size() > 4) early.pop_front();
            }
        }
        if (!logged)
            if (const auto r = preflight.result()) {
                logged = true;
                std::cerr << "stemdeck-gui: " << r->summary << "\n";
                for (const std::string& line : r->problems)
                    std::cerr << "stemdeck-gui: " << line << "\n";
                std::cerr << std::flush;
            }
        if (gStop.load()) runner.quit();
        if (runner.over()) juce::MessageManager::getInstance()->stopDispatchLoop();
    }
};

/// After the window's loop: what is open over the stage closed, the show ended and summed up
/// (the shutdown command, if the shutdown action was performed); the exit status.
int closeShow(stemdeck::app::ShowRunner& runner, StageWindow& window, bool kiosk, std::string fatal) {
    using namespace stemdeck;
    // What is still open over the stage (the settings dialog) goes now, while JUCE runs: left
    // to JUCE's shutdown, it was deleted after the timer thread it unregisters from (a crash).
    for (int i = juce::TopLevelWindow::getNumTopLevelWindows(); --i >= 0;)
        if (auto* dialog = dynamic_cast<juce::DialogWindow*>(juce::TopLevelWindow::getTopLevelWindow(i))) delete dialog;
    if (kiosk) juce::Desktop::getInstance().setKioskModeComponent(nullptr);
    window.clearContentComponent();
    runner.quit();
    runner.join();
    for (const std::string& line : runner.takeMessages())
        std::cerr << "stemdeck-gui: " << line << "\n";
    runner.finishShow(); // (the shutdown command, if the shutdown action was performed)
    for (const std::string& line : runner.takeMessages())
        std::cerr << "stemdeck-gui: " << line << "\n";
    if (runner.phase() == app::ShowPhase::stoppedWaiting)
        std::cerr << "stemdeck-gui: stopped before the audio device was there\n";
    if (fatal.empty() && runner.phase() == app::ShowPhase::failed) fatal = runner.why();
    if (!fatal.empty()) {
        std::cerr << "stemdeck-gui: error: " << fatal << std::endl;
        return 1;
    }
    std::cerr << std::flush;
    return 0;
}
} // namespace

int main(int argc, char** argv) {
    using namespace stemdeck;
    CLI::App app{"stemdeck-gui: the stage screen (the same options as stemdeck play)"};
    app::PlayArgs args;
    app::addPlayOptions(app, args);
    app::addIoTimeoutOption(app);
    bool kiosk = false;
    app.add_flag("--kiosk", kiosk,
                 "The stage box's screen: the whole screen, no window decorations, the show lock on (keys, mouse, "
                 "settings and closing do nothing until 'unlock' is typed); the controller runs the show");
    bool lyrics = false;
    app.add_flag("--lyrics", lyrics,
                 "This screen shows the lyrics and chords in the stems' place (a singer's or player's screen); the "
                 "LYRICS button switches back");
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
        // The show runs on its own control thread (waiting for the device first, as long as it takes);
        // this thread is the window's.
        app::ShowRunner runner(session, {true, app::waitedDevice(args.device), ""});
        StageWindow window(session, runner, kiosk);
        std::unique_ptr<app::StageView> stage;
        std::unique_ptr<app::WaitingView> waiting;
        std::string fatal;
        std::deque<std::string> early; // the log's last lines before the stage was there (its footer shows them)
        auto toStage = [&] {
            stage = std::make_unique<app::StageView>(session, runner, settings, settingsFile);
            if (lyrics) stage->showLyrics(true);
            for (std::string& line : early)
                stage->message(std::move(line));
            stage->showPreflight(preflight);
            window.show(stage.get());
            window.toFront(true);
            stage->grabKeyboardFocus();
        };
        waiting = std::make_unique<app::WaitingView>(
            session, runner, preflight, app::waitedDevice(args.device),
            [&] {
                toStage();
                juce::MessageManager::callAsync([&] { waiting.reset(); });
            },
            [&](const std::string& message) {
                fatal = message;
                juce::MessageManager::getInstance()->stopDispatchLoop();
            });
        window.show(waiting.get());
        runner.start();
        // The log (the service's journal) and the stage's message lines, signals, the end of the
        // show; the preflight's findings once.
        Watch watch(runner, preflight, stage, early);
        juce::MessageManager::getInstance()->runDispatchLoop();
        return closeShow(runner, window, kiosk, fatal);
    } catch (const Error& e) {
        std::cerr << "stemdeck-gui: error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) { // what no rule expected (the control thread's, rethrown)
        std::cerr << "stemdeck-gui: unexpected error: " << e.what() << "\n";
        return 2;
    }
}
