#include "ShowScreens.h"

#include <iostream>

#include "Palette.h"
#include "stemdeck/common/Text.h"

namespace stemdeck::app {

juce::Rectangle<int> paintSetListHeader(juce::Graphics& g, juce::Rectangle<int> panel, const LiveSession& session) {
    g.setColour(kPanel);
    g.fillRect(panel);
    auto list = panel.reduced(12);
    g.setColour(kDim);
    g.setFont(juce::Font(16.0f, juce::Font::bold));
    g.drawText(session.setName().value_or("SET"), list.removeFromTop(28), juce::Justification::centredLeft);
    return list;
}

void PreflightPanel::update(const Preflight& preflight) {
    if (done_) return;
    if (const auto r = preflight.result()) {
        done_ = true;
        summary_ = r->summary;
        problems_ = r->problems;
        errors_ = r->errors;
        repaint();
        return;
    }
    if (std::string p = preflight.progress(); p != summary_) {
        summary_ = p.empty() ? "checking the set" : p;
        repaint();
    }
}

void PreflightPanel::paint(juce::Graphics& g) {
    g.setColour(kPanel);
    g.fillRoundedRectangle(getLocalBounds().toFloat(), 8.0f);
    auto r = getLocalBounds().reduced(16, 12);
    g.setFont(juce::Font(22.0f, juce::Font::bold));
    g.setColour(!done_ ? kDim : errors_ > 0 ? kMute : problems_.empty() ? kAccent : kWarn);
    g.drawFittedText(summary_, r.removeFromTop(30), juce::Justification::centredLeft, 1);
    g.setFont(juce::Font(17.0f));
    for (const std::string& line : problems_) { // two lines each: the file, what and the fix
        if (r.getHeight() < 44) break;
        g.setColour(line.rfind("error:", 0) == 0 ? kMute : kWarn);
        g.drawFittedText(line, r.removeFromTop(44), juce::Justification::topLeft, 2, 1.0f);
    }
}

WaitingView::WaitingView(LiveSession& session, ShowRunner& runner, const Preflight& preflight, std::string waitingFor,
                         std::function<void()> opened, std::function<void(const std::string&)> failed)
    : session_(session), runner_(runner), preflight_(preflight), waitingFor_(std::move(waitingFor)),
      opened_(std::move(opened)), failed_(std::move(failed)) {
    addAndMakeVisible(panel_);
    setSize(1280, 800);
    startTimer(100);
}

WaitingView::~WaitingView() {
    stopTimer();
}

void WaitingView::resized() {
    auto r = getLocalBounds();
    setList_ = r.removeFromLeft(240);
    status_ = r.removeFromTop(220).reduced(24, 16);
    panel_.setBounds(r.reduced(24, 16));
}

void WaitingView::paint(juce::Graphics& g) {
    g.fillAll(kBackground);
    auto list = paintSetListHeader(g, setList_, session_);
    g.setFont(juce::Font(18.0f));
    const auto& songs = session_.songs();
    for (std::size_t i = 0; i < songs.size() && list.getHeight() >= 34; ++i) {
        const std::string title = songs[i].title ? *songs[i].title : songs[i].source.filename().string();
        g.setColour(kText);
        g.drawText(std::to_string(i + 1) + "  " + oneLine(title), list.removeFromTop(34),
                   juce::Justification::centredLeft);
    }
    auto s = status_;
    g.setColour(kSolo);
    g.setFont(juce::Font(40.0f, juce::Font::bold));
    // Until an open has failed, the device is being opened (and the songs loaded): not waited for.
    const bool waited = runner_.waited();
    g.drawFittedText((waited ? "waiting for " : "opening ") + waitingFor_, s.removeFromTop(60),
                     juce::Justification::centredLeft, 1);
    g.setColour(kText);
    g.setFont(juce::Font(20.0f));
    g.drawFittedText(!waited        ? std::string("loading the set")
                     : why_.empty() ? std::string("no audio output device yet")
                                    : oneLine(why_),
                     s.removeFromTop(60), juce::Justification::topLeft, 2);
    g.setColour(kDim);
    g.drawText("plug the interface in or start the JACK server: the show starts when it is there (checked every "
               "second)",
               s.removeFromTop(30), juce::Justification::centredLeft);
}

void WaitingView::timerCallback() {
    panel_.update(preflight_);
    switch (runner_.phase()) {
    case ShowPhase::waiting: break;
    case ShowPhase::running:
        stopTimer();
        opened_(); // deletes this view
        return;
    case ShowPhase::failed:
        stopTimer();
        failed_(runner_.why());
        return;
    default: return; // ended: the window goes
    }
    if (const std::string why = runner_.why(); why != why_ || runner_.waited() != waitedShown_) {
        why_ = why;
        waitedShown_ = runner_.waited();
        repaint();
    }
}

} // namespace stemdeck::app
