#include "nonlinear/gmw.hpp"

#include <string>

#include "core/errors.hpp"

namespace twain::nonlinear {
namespace {

void write_words(MessageWriter& out, std::span<const uint64_t> words) { out.values(words, 64); }

}  // namespace

Words and_layer(Context& ctx, std::span<const uint64_t> x, std::span<const uint64_t> y) {
  TWAIN_REQUIRE(x.size() == y.size(), InvalidArgument,
                "and_layer: " + std::to_string(x.size()) + " and " + std::to_string(y.size()) + " words");
  const std::size_t n = x.size();
  const TripleWords t = ctx.pool.take_triples(n);
  Words d(n), e(n);
  for (std::size_t w = 0; w < n; ++w) {
    d[w] = x[w] ^ t.a[w];
    e[w] = y[w] ^ t.b[w];
  }
  MessageWriter out;
  write_words(out, d);
  write_words(out, e);
  const auto in = ctx.link.exchange(out.bytes(), 16 * n);
  MessageReader reader(in);
  const auto pd = reader.values(n, 64);
  const auto pe = reader.values(n, 64);
  const uint64_t own_de = ctx.server() ? ~uint64_t{0} : 0;
  Words z(n);
  for (std::size_t w = 0; w < n; ++w) {
    const uint64_t dd = d[w] ^ pd[w];
    const uint64_t ee = e[w] ^ pe[w];
    z[w] = t.c[w] ^ (dd & t.b[w]) ^ (ee & t.a[w]) ^ (dd & ee & own_de);
  }
  return z;
}

Needs cross_and_needs(LeafMode mode, std::size_t words) {
  if (mode == LeafMode::kTriple) return and_layer_needs(words);
  return Needs{0, 64 * words, 0, 0};
}

Words cross_and(Context& ctx, std::span<const uint64_t> own) {
  const std::size_t n = own.size();
  if (ctx.options.leaf == LeafMode::kTriple) {
    const Words zero(n, 0);
    return ctx.server() ? and_layer(ctx, own, zero) : and_layer(ctx, zero, own);
  }
  Words z(n);
  MessageWriter out;
  if (ctx.server()) {
    const LeafOtSend ot = ctx.pool.take_leaf_send(64 * n);
    Words v(n);
    for (std::size_t w = 0; w < n; ++w) v[w] = ot.m0.words()[w] ^ ot.m1.words()[w] ^ own[w];
    write_words(out, v);
    const auto in = ctx.link.exchange(out.bytes(), 8 * n);
    MessageReader reader(in);
    const auto e = reader.values(n, 64);
    for (std::size_t w = 0; w < n; ++w) {
      const uint64_t m0 = ot.m0.words()[w];
      z[w] = m0 ^ (e[w] & (m0 ^ ot.m1.words()[w]));
    }
  } else {
    const LeafOtReceive ot = ctx.pool.take_leaf_receive(64 * n);
    Words e(n);
    for (std::size_t w = 0; w < n; ++w) e[w] = own[w] ^ ot.choices.words()[w];
    write_words(out, e);
    const auto in = ctx.link.exchange(out.bytes(), 8 * n);
    MessageReader reader(in);
    const auto v = reader.values(n, 64);
    for (std::size_t w = 0; w < n; ++w) z[w] = ot.m.words()[w] ^ (own[w] & v[w]);
  }
  return z;
}

Words bit_column(std::span<const uint64_t> values, int bit) {
  Words col(words_for(values.size()), 0);
  for (std::size_t i = 0; i < values.size(); ++i) col[i / 64] |= ((values[i] >> bit) & 1U) << (i % 64);
  return col;
}

}  // namespace twain::nonlinear
