// Overloaded lambdas for std::visit over the op variants of graph.hpp and quantized_graph.hpp.
#pragma once

namespace twain::model {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace twain::model
