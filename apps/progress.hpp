// A one-line progress bar on a terminal ("[#####.....] 12/34 conv fire4/expand3x3"), redrawn in
// place; silent when the stream is not a terminal so logs and pipes stay clean.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

namespace twain::apps {

class ProgressBar {
 public:
  // Draws on `stream` only when it is a terminal.
  ProgressBar(std::FILE* stream, std::string title);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(std::size_t done, std::size_t total, const std::string& label);
  // Clears the line.
  void finish();

 private:
  std::FILE* stream_;
  std::string title_;
  bool enabled_;
  bool drawn_ = false;
};

}  // namespace twain::apps
