// The subcommands of the twain CLI; each takes the words after its name and returns the exit code.
#pragma once

#include <string>
#include <vector>

namespace twain::apps {

int command_serve(const std::vector<std::string>& args);
int command_query(const std::vector<std::string>& args);
int command_local(const std::vector<std::string>& args);
int command_plain(const std::vector<std::string>& args);
int command_bench(const std::vector<std::string>& args);
int command_demo(const std::vector<std::string>& args);
int command_describe(const std::vector<std::string>& args);
int command_prepare(const std::vector<std::string>& args);

}  // namespace twain::apps
