#include "SettingsPanel.h"

#include <iostream>
#include <sstream>

#include "Palette.h"
#include "stemdeck/common/Error.h"

namespace stemdeck::app {

namespace {
std::string field(const juce::TextEditor& e) {
    return e.getText().trim().toStdString();
}

std::optional<int> number(const juce::TextEditor& e, const char* what) {
    const std::string t = field(e);
    if (t.empty()) return std::nullopt;
    try {
        std::size_t used = 0;
        const int v = std::stoi(t, &used);
        if (used == t.size()) return v;
    } catch (const std::exception&) {
    }
    throw Error(std::string(what) + " '" + t + "' is not a whole number");
}
} // namespace

SettingsPanel::SettingsPanel(app::LiveSettings s, std::filesystem::path file, std::string devices,
                             std::function<void()> onClosed)
    : file_(std::move(file)), onClosed_(std::move(onClosed)) {
    auto label = [this](const char* text) {
        labels_.push_back(std::make_unique<juce::Label>(text, text));
        labels_.back()->setColour(juce::Label::textColourId, kDim);
        addAndMakeVisible(*labels_.back());
    };
    for (const char* l : {"Driver", "Device (part of its name)", "Sample rate (Hz)", "Block size (frames)",
                          "Main output pair (first channel)", "Click output pair (first channel)",
                          "Stems on their own pairs (drums=5, 2=7)", "MIDI mapping file",
                          "MIDI port (part of its name)", "MIDI system"})
        label(l);
    driver_.addItemList({"first with an output", "alsa", "jack"}, 1);
    driver_.setSelectedItemIndex(!s.driver ? 0 : *s.driver == "alsa" ? 1 : 2, juce::dontSendNotification);
    midiApi_.addItemList({"jack under JACK, else alsa", "alsa", "jack"}, 1);
    midiApi_.setSelectedItemIndex(!s.midiApi ? 0 : *s.midiApi == "alsa" ? 1 : 2, juce::dontSendNotification);
    auto set = [](juce::TextEditor& e, const std::optional<std::string>& v) { e.setText(v.value_or("")); };
    auto setN = [](juce::TextEditor& e, const std::optional<int>& v) { e.setText(v ? std::to_string(*v) : ""); };
    set(device_, s.device);
    setN(rate_, s.rate);
    setN(block_, s.block);
    setN(main_, s.mainOut);
    setN(click_, s.clickOut);
    std::string outs;
    for (const auto& o : s.stemOuts)
        outs += (outs.empty() ? "" : ", ") + o;
    stemOuts_.setText(outs);
    set(controller_, s.controller);
    set(midiPort_, s.midiPort);
    devices_.setMultiLine(true);
    devices_.setReadOnly(true);
    devices_.setText("Devices on this machine:\n" + devices);
    for (juce::Component* c :
         std::initializer_list<juce::Component*>{&driver_, &device_, &rate_, &block_, &main_, &click_, &stemOuts_,
                                                 &controller_, &midiPort_, &midiApi_, &devices_, &save_, &result_})
        addAndMakeVisible(*c);
    result_.setColour(juce::Label::textColourId, kText);
    result_.setText("This machine's settings, kept in " + file_.string() + "; they apply from the next start.",
                    juce::dontSendNotification);
    save_.onClick = [this] { saveNow(); };
    setSize(760, 640);
}

SettingsPanel::~SettingsPanel() {
    if (onClosed_) juce::MessageManager::callAsync(onClosed_); // after the dialog window has gone
}

void SettingsPanel::saveNow() {
    try {
        app::LiveSettings s;
        if (driver_.getSelectedItemIndex() > 0) s.driver = driver_.getText().toStdString();
        if (midiApi_.getSelectedItemIndex() > 0) s.midiApi = midiApi_.getText().toStdString();
        if (!field(device_).empty()) s.device = field(device_);
        s.rate = number(rate_, "the sample rate");
        s.block = number(block_, "the block size");
        s.mainOut = number(main_, "the main output");
        s.clickOut = number(click_, "the click output");
        std::stringstream outs(field(stemOuts_));
        for (std::string o; std::getline(outs, o, ',');) {
            o.erase(0, o.find_first_not_of(' '));
            o.erase(o.find_last_not_of(' ') + 1);
            if (!o.empty()) s.stemOuts.push_back(o);
        }
        if (!field(controller_).empty()) s.controller = field(controller_);
        if (!field(midiPort_).empty()) s.midiPort = field(midiPort_);
        app::saveLiveSettings(s, file_);
        result_.setText("Saved to " + file_.string() + "; they apply from the next start.", juce::dontSendNotification);
        std::cerr << "stemdeck-gui: settings saved to " << file_.string() << std::endl;
    } catch (const Error& e) {
        result_.setText(e.what(), juce::dontSendNotification);
        std::cerr << "stemdeck-gui: settings not saved: " << e.what() << std::endl;
    }
}

void SettingsPanel::resized() {
    auto r = getLocalBounds().reduced(16);
    auto bottom = r.removeFromBottom(40);
    save_.setBounds(bottom.removeFromRight(120));
    result_.setBounds(bottom);
    devices_.setBounds(r.removeFromBottom(150).reduced(0, 6));
    juce::Component* fields[] = {&driver_, &device_,   &rate_,       &block_,    &main_,
                                 &click_,  &stemOuts_, &controller_, &midiPort_, &midiApi_};
    for (std::size_t i = 0; i < std::size(fields); ++i) {
        auto row = r.removeFromTop(38).reduced(0, 4);
        labels_[i]->setBounds(row.removeFromLeft(300));
        fields[i]->setBounds(row);
    }
}

void SettingsPanel::paint(juce::Graphics& g) {
    g.fillAll(kPanel);
}

void openSettings(const app::LiveSettings& current, const std::filesystem::path& file, const std::string& devices,
                  const std::function<void(juce::Point<int>)>& report, std::function<void()> onClosed) {
    auto* panel = new SettingsPanel(current, file, devices, std::move(onClosed));
    juce::DialogWindow::LaunchOptions o;
    o.content.setOwned(panel);
    o.dialogTitle = "stemdeck settings";
    o.dialogBackgroundColour = kPanel;
    o.escapeKeyTriggersCloseButton = true;
    o.useNativeTitleBar = false;
    o.resizable = false;
    juce::DialogWindow* w = o.launchAsync();
    if (w != nullptr) w->setTopLeftPosition(100, 60);
    juce::Component::SafePointer<SettingsPanel> safe(panel);
    if (report)
        juce::Timer::callAfterDelay(300, [safe, report] {
            if (safe != nullptr) report(safe->saveButtonCentre());
        });
}

} // namespace stemdeck::app
