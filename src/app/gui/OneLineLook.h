#pragma once
// A button look for names (the scene buttons): one line in a large bold font, shortened with an
// ellipsis when the button is too narrow, never broken mid-word over two lines as JUCE's default
// look does ("1 Brea / kdown").
#include <juce_gui_basics/juce_gui_basics.h>

namespace stemdeck::app {

class OneLineLook final : public juce::LookAndFeel_V4 {
public:
    /// The font for a button `height` pixels high: readable from two metres.
    [[nodiscard]] static juce::Font fontFor(int height) {
        return juce::Font(juce::jmin(20.0f, static_cast<float>(height) * 0.55f), juce::Font::bold);
    }
    /// Pixels left and right of the text.
    static constexpr int kIndent = 10;
    /// The width a button needs to show `text` whole at `height`.
    [[nodiscard]] static int widthFor(const juce::String& text, int height) {
        return fontFor(height).getStringWidth(text) + 2 * kIndent + 4;
    }

    juce::Font getTextButtonFont(juce::TextButton&, int buttonHeight) override { return fontFor(buttonHeight); }

    void drawButtonText(juce::Graphics& g, juce::TextButton& button, bool, bool) override {
        g.setFont(fontFor(button.getHeight()));
        g.setColour(button
                        .findColour(button.getToggleState() ? juce::TextButton::textColourOnId
                                                            : juce::TextButton::textColourOffId)
                        .withMultipliedAlpha(button.isEnabled() ? 1.0f : 0.5f));
        const auto area = button.getLocalBounds().reduced(kIndent, 2);
        if (area.getWidth() > 0) // one line; too long: squeezed a little, then an ellipsis
            g.drawFittedText(button.getButtonText(), area, juce::Justification::centred, 1, 0.9f);
    }
};

} // namespace stemdeck::app
