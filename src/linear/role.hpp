// The two parties of a linear-layer protocol (DESIGN.md section 1): the server owns the weights,
// the client owns the input and learns the result.
#pragma once

namespace twain::linear {

enum class Role { Server, Client };

}  // namespace twain::linear
