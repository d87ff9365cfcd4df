#include "stemdeck/stream/StreamedStem.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <thread>

#include "stemdeck/common/Clock.h"
#include "stemdeck/common/Error.h"
#include "stemdeck/common/IoWatch.h"
#include "stemdeck/stream/DiskStreamer.h"
#include "stemdeck/common/Text.h"

namespace stemdeck::stream {

namespace {

constexpr std::int64_t kRetryNs = 500'000'000; // a failed file is tried again twice a second

int ringFrames(int sampleRate, const StreamingSizes& sizes) {
    // At least four disk reads at any rate, so the disk thread always has room to work.
    const long want = std::max(std::lround(sizes.ringSeconds * sampleRate), 4L * sizes.chunkFrames);
    return static_cast<int>(std::bit_ceil(static_cast<unsigned>(want)));
}

} // namespace

StreamedStem::StreamedStem(const formats::StemLocation& file, int outputRate, const StreamingSizes& sizes,
                           const formats::Stretch& stretch)
    : file_(file), sizes_(sizes), stretch_(stretch), sampleRate_(outputRate), ring_(ringFrames(outputRate, sizes)) {
    if (!stretch.unity()) {
        splice_ = kSplice;
        spliceLeft_.resize(kSplice);
        spliceRight_.resize(kSplice);
    }
}

std::shared_ptr<StreamedStem> StreamedStem::open(const formats::StemLocation& file, int outputRate,
                                                 const StreamingSizes& sizes, const formats::Stretch& stretch,
                                                 std::int64_t headAt) {
    // the one open; checks the channels
    auto reader = std::make_unique<formats::StretchedReader>(file, outputRate, stretch);
    const int rate = reader->source().outputRate();
    std::shared_ptr<StreamedStem> stem(new StreamedStem(file, rate, sizes, stretch));
    stem->channels_ = reader->source().channels();
    stem->fileRate_ = reader->source().fileRate();
    stem->length_ = reader->lengthFrames();
    // The disk thread does not have this stem yet, so its reader can decode the head first.
    headAt = std::clamp<std::int64_t>(headAt, 0, stem->length_);
    const std::int64_t want = std::min<std::int64_t>(stem->length_, headAt + std::lround(sizes.headSeconds * rate));
    stem->regions_.push_back(stem->decodeRegion(*reader, headAt, want - headAt));
    stem->reader_ = std::move(reader); // decodePos_ is -1: the disk thread positions it itself
    const Region& h = stem->regions_.front();
    const std::int64_t held = h.end() - h.start;
    if (h.end() < want - 64) { // (a resampler may end a few frames short: not a fault)
        // The header promises more than the file holds: a cut-off copy. Said once; on stage the
        // stem plays what there is, then silence, in play and render alike.
        const auto clock = [rate](std::int64_t f) { return clockText(static_cast<double>(f) / rate); };
        stem->reportFault(file.describe() + ": declares " + clock(stem->length_) + ", holds " + clock(h.end()) +
                          ": the file is cut off; copy or export it again");
        stem->faulted_ = true;
    }
    if (stem->splice_ == 0 || h.end() < want || held < stem->splice_) {
        stem->ring_.request(h.end()); // the ring starts where the head ends
        return stem;
    }
    // Stretched: the reader goes on from the head's end without a restart, so the ring continues
    // the head's stretcher run seamlessly. The ring starts kSplice frames early, with the head's
    // own last frames, as after a seek into the head (read() fades them: here they are the same).
    const std::int64_t from = h.end() - stem->splice_;
    const auto at = static_cast<std::size_t>(from - h.start);
    stem->ring_.request(from);
    (void)stem->ring_.work();
    stem->ring_.write(h.left.data() + at, h.right.data() + at, stem->splice_);
    stem->decodePos_ = h.end();
    return stem;
}

StreamedStem::~StreamedStem() = default;

StreamedStem::Region StreamedStem::decodeRegion(formats::StretchedReader& reader, std::int64_t start,
                                                std::int64_t frames) const {
    Region r;
    r.start = start;
    frames = std::clamp<std::int64_t>(frames, 0, std::max<std::int64_t>(0, length_ - start));
    r.left.resize(static_cast<std::size_t>(frames));
    r.right.resize(static_cast<std::size_t>(frames));
    const int got =
        frames > 0 && reader.start(start) ? reader.read(r.left.data(), r.right.data(), static_cast<int>(frames)) : 0;
    r.left.resize(static_cast<std::size_t>(got));
    r.right.resize(static_cast<std::size_t>(got));
    return r;
}

std::optional<std::pair<std::int64_t, std::int64_t>> StreamedStem::cueSpan(std::int64_t frame) const {
    if (frame <= 0 || frame >= length_) return std::nullopt;
    // [frame, frame + head) must be in RAM; where a region already holds its beginning (the head,
    // an earlier cue), only the rest is decoded.
    const std::int64_t want = std::min<std::int64_t>(length_, frame + std::lround(sizes_.headSeconds * sampleRate_));
    std::int64_t from = frame;
    while (const Region* held = regionAt(from))
        from = held->end();
    if (from >= want) return std::nullopt;
    return std::pair{from, want};
}

StreamedStem::Region StreamedStem::decodeCue(std::int64_t from, std::int64_t to) const {
    formats::StretchedReader reader(file_, sampleRate_, stretch_); // its own: the disk thread may be using reader_
    return decodeRegion(reader, from, to - from);
}

void StreamedStem::holdRegion(Region r) {
    if (r.left.empty()) return;
    const auto at = std::lower_bound(regions_.begin(), regions_.end(), r.start,
                                     [](const Region& x, std::int64_t s) { return x.start < s; });
    regions_.insert(at, std::move(r));
}

const StreamedStem::Region* StreamedStem::regionAt(std::int64_t frame) const noexcept {
    for (const Region& r : regions_)
        if (frame >= r.start && frame < r.end()) return &r;
    return nullptr;
}

std::int64_t StreamedStem::nextRegionStart(std::int64_t frame) const noexcept {
    for (const Region& r : regions_) // sorted by start
        if (r.start > frame) return r.start;
    return std::numeric_limits<std::int64_t>::max();
}

engine::ReadStatus StreamedStem::read(std::int64_t frame, float* left, float* right, int n) noexcept {
    engine::ReadStatus status = engine::ReadStatus::complete;
    for (int done = 0; done < n;) {
        const std::int64_t f = frame + done;
        int len = n - done;
        if (f < 0 || f >= length_) { // before the start or past the end: silence by design
            if (f < 0) len = static_cast<int>(std::min<std::int64_t>(len, -f));
            std::fill_n(left + done, len, 0.0f);
            std::fill_n(right + done, len, 0.0f);
            done += len;
            continue;
        }
        len = static_cast<int>(std::min<std::int64_t>(len, length_ - f));
        if (const Region* r = regionAt(f)) { // in RAM
            if (splice_ > 0) {               // stretched
                done += readStretchedRegion(*r, f, left + done, right + done, len);
                continue;
            }
            len = static_cast<int>(std::min<std::int64_t>(len, r->end() - f));
            const auto at = static_cast<std::size_t>(f - r->start);
            std::copy_n(r->left.data() + at, len, left + done);
            std::copy_n(r->right.data() + at, len, right + done);
            done += len;
            continue;
        }
        len = static_cast<int>(std::min<std::int64_t>(len, nextRegionStart(f) - f)); // that one is in RAM
        const int got = ring_.read(f, left + done, right + done, len);
        if (got < len) { // the disk has not brought it: silence, and say so
            std::fill(left + done + got, left + done + len, 0.0f);
            std::fill(right + done + got, right + done + len, 0.0f);
            // (a stem whose file does not answer has said so, and is silent by now: not an underrun)
            if (!silentNoAnswer_.load(std::memory_order_relaxed)) status = engine::ReadStatus::partial;
        }
        done += len;
    }
    return status;
}

int StreamedStem::readStretchedRegion(const Region& r, std::int64_t f, float* left, float* right, int n) noexcept {
    n = static_cast<int>(std::min<std::int64_t>(n, r.end() - f));
    const auto at = static_cast<std::size_t>(f - r.start);
    if (ring_.requested() <= r.start) {
        // The ring has been playing through since before this region: it carries on with the
        // stretcher run it is in (the region is another run). The region only fills a gap.
        const int got = ring_.read(f, left, right, n);
        std::copy_n(r.left.data() + at + got, n - got, left + got);
        std::copy_n(r.right.data() + at + got, n - got, right + got);
        return n;
    }
    // After a seek into the region: the region, fading into the ring over its last kSplice frames.
    const std::int64_t fadeFrom = r.end() - splice_;
    if (f < fadeFrom) n = static_cast<int>(std::min<std::int64_t>(n, fadeFrom - f));
    std::copy_n(r.left.data() + at, n, left);
    std::copy_n(r.right.data() + at, n, right);
    if (f < fadeFrom) return n;
    const int got = ring_.read(f, spliceLeft_.data(), spliceRight_.data(), n); // n ≤ kSplice here
    for (int i = 0; i < got; ++i) {
        const float w = static_cast<float>(f + i - fadeFrom + 1) / static_cast<float>(splice_ + 1);
        left[i] += w * (spliceLeft_[static_cast<std::size_t>(i)] - left[i]);
        right[i] += w * (spliceRight_[static_cast<std::size_t>(i)] - right[i]);
    }
    return n;
}

void StreamedStem::seek(std::int64_t frame) noexcept {
    // The ring takes over where RAM ends: past every region that follows on without a gap (cues
    // a bar or two apart chain on from one another). Started at the first one's end, it would
    // fill its 2.7 s and stop, since frames read from RAM are not taken from it, and a chain
    // longer than that would run off its end into frames never brought. (A stretched stem reads
    // the ring through the regions after the first, one stretcher run: readStretchedRegion.)
    const Region* r = regionAt(frame);
    while (r != nullptr && splice_ == 0)
        if (const Region* next = regionAt(r->end()); next != nullptr && next != r)
            r = next;
        else
            break;
    // A stretched stem's ring starts kSplice frames before the region's end, to fade over.
    const std::int64_t from = r == nullptr ? frame : std::max(r->start, r->end() - splice_);
    ring_.request(std::clamp<std::int64_t>(from, 0, length_));
}

bool StreamedStem::readable(std::int64_t frame, int n) const noexcept {
    const std::int64_t end = std::min<std::int64_t>(frame + n, length_);
    for (std::int64_t f = std::max<std::int64_t>(frame, 0); f < end;) {
        if (const Region* r = regionAt(f)) {
            f = r->end();
            continue;
        }
        const std::int64_t stop = std::min(end, nextRegionStart(f));
        if (!ring_.has(f, static_cast<int>(stop - f))) return false;
        f = stop;
    }
    return true;
}

bool StreamedStem::waitUntilReadable(std::int64_t frame, int n, double timeoutSeconds) const {
    if (readable(frame, n)) return true; // the usual case: no clock, no sleep
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeoutSeconds);
    while (!readable(frame, n)) {
        if (std::chrono::steady_clock::now() > until || silentNoAnswer_.load(std::memory_order_relaxed)) return false;
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// disk thread

bool StreamedStem::reopen() {
    decodePos_ = -1;
    try {
        reader_ = std::make_unique<formats::StretchedReader>(file_, sampleRate_, stretch_);
    } catch (const Error&) {
        reader_.reset(); // gone or unreadable: tried again later
    }
    return reader_ != nullptr;
}

void StreamedStem::reportFault(const std::string& message) {
    std::lock_guard<std::mutex> lock(faultMutex_);
    faultMessages_.push_back(message);
    faultPending_.store(true, std::memory_order_release);
}

void StreamedStem::noAnswer(std::chrono::milliseconds after) {
    silentNoAnswer_.store(true, std::memory_order_relaxed);
    reportFault(noAnswerProblem(file_.describe(), after) + "; this stem is silent until it answers, the others play; " +
                noAnswerFix());
}

void StreamedStem::answered(bool told) {
    silentNoAnswer_.store(false, std::memory_order_relaxed);
    if (told && !faulted_)
        reportFault(file_.describe() + ": answers again; it plays again from the next chunk its disk thread reads");
}

bool StreamedStem::takeFault(std::string& message) {
    if (!faultPending_.load(std::memory_order_acquire)) return false;
    std::lock_guard<std::mutex> lock(faultMutex_);
    if (faultMessages_.empty()) return false;
    message = std::move(faultMessages_.front());
    faultMessages_.erase(faultMessages_.begin());
    faultPending_.store(!faultMessages_.empty(), std::memory_order_release);
    return true;
}

bool StreamedStem::service(std::vector<float>& scratch) {
    const StemRing::Work w = ring_.work();
    if (w.writeFrame >= length_) return false;
    const int want = static_cast<int>(std::min<std::int64_t>(sizes_.chunkFrames, length_ - w.writeFrame));
    if (w.space < want) return false; // a whole chunk at a time

    const auto frames = static_cast<std::size_t>(want);
    scratch.resize(frames * 2);
    float* l = scratch.data();
    float* r = l + frames;
    int got = 0;
    const bool retryDue = !faulted_ || (sizes_.retryAfterFault && steadyNs() >= nextRetryNs_);
    // After a fault every attempt opens the file afresh: a file put back is a new file.
    if (retryDue && faulted_) reopen();
    if (retryDue && (reader_ != nullptr || reopen())) {
        if (decodePos_ != w.writeFrame) decodePos_ = reader_->start(w.writeFrame) ? w.writeFrame : -1;
        if (decodePos_ == w.writeFrame) {
            if (const auto delay = DiskStreamer::readDelay(); delay.count() > 0) {
                // (the test hook: a slow disk; a stall ends for every read under way when it is lifted)
                const auto until = std::chrono::steady_clock::now() + delay;
                while (std::chrono::steady_clock::now() < until && DiskStreamer::readDelay().count() > 0)
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            got = reader_->read(l, r, want);
        }
    }
    if (got < want) {
        std::fill(l + got, l + want, 0.0f); // silence for what the file did not give
        std::fill(r + got, r + want, 0.0f);
    }
    // A resampler's last output can land a few frames short of the computed length: not a fault.
    const std::int64_t slack = reader_ != nullptr && reader_->mayEndShort() ? 64 : 0;
    if (got < want && w.writeFrame + got < length_ - slack) {
        // libsndfile reports a file cut short after opening as a short read with no error, and
        // keeps the old length: detect it here. The silence stands in for what is missing, so this
        // stem stays in sync and the others never notice; the file is tried again later.
        if (!faulted_) {
            char at[32];
            std::snprintf(at, sizeof at, "%.2f", static_cast<double>(w.writeFrame + got) / sampleRate_);
            reportFault(
                file_.describe() + ": cannot read past " + at +
                " s (file truncated, deleted or unreadable); playing silence for it until it can be read again");
        }
        faulted_ = true;
        if (retryDue) nextRetryNs_ = steadyNs() + kRetryNs; // only a real attempt moves the next one
        decodePos_ = -1;
    } else {
        faulted_ = false;
        decodePos_ += want;
    }
    ring_.write(l, r, want);
    return true;
}

} // namespace stemdeck::stream
