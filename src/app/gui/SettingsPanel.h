#pragma once
// The stage GUI's settings dialog: device, rate, block size, routing, MIDI port and mapping,
// saved atomically to the user's config directory; they apply from the next start.
#include <juce_gui_basics/juce_gui_basics.h>

#include <filesystem>
#include <functional>

#include "stemdeck/app/Settings.h"

namespace stemdeck::app {

class SettingsPanel final : public juce::Component {
public:
    SettingsPanel(app::LiveSettings current, std::filesystem::path file, std::string devices,
                  std::function<void()> onClosed);
    ~SettingsPanel() override;
    void resized() override;
    void paint(juce::Graphics& g) override;
    /// Centre of the Save button on the screen (for tests).
    [[nodiscard]] juce::Point<int> saveButtonCentre() const { return save_.getScreenBounds().getCentre(); }

private:
    void saveNow();

    std::filesystem::path file_;
    std::function<void()> onClosed_;
    juce::ComboBox driver_, midiApi_;
    juce::TextEditor device_, rate_, block_, main_, click_, stemOuts_, controller_, midiPort_, devices_;
    juce::TextButton save_{"Save"};
    juce::Label result_;
    std::vector<std::unique_ptr<juce::Label>> labels_;
};

/// @thread GUI. Opens the dialog (non-modal); `report` gets the Save button's centre once shown,
/// `onClosed` runs when it closes (the stage takes the keyboard back).
void openSettings(const app::LiveSettings& current, const std::filesystem::path& file, const std::string& devices,
                  const std::function<void(juce::Point<int>)>& report, std::function<void()> onClosed);

} // namespace stemdeck::app
