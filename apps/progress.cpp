#include "progress.hpp"

#include <unistd.h>

namespace twain::apps {

ProgressBar::ProgressBar(std::FILE* stream, std::string title)
    : stream_(stream), title_(std::move(title)), enabled_(isatty(fileno(stream)) != 0) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::size_t done, std::size_t total, const std::string& label) {
  if (!enabled_ || total == 0) return;
  constexpr std::size_t kWidth = 30;
  const std::size_t filled = done * kWidth / total;
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  std::fprintf(stream_, "\r\033[K%s [%s] %zu/%zu %s", title_.c_str(), bar.c_str(), done, total, label.c_str());
  std::fflush(stream_);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  std::fprintf(stream_, "\r\033[K");
  std::fflush(stream_);
  drawn_ = false;
}

}  // namespace twain::apps
