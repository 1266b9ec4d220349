// Static tensor shapes of the graph IR: ONNX dimensions with the batch first and equal to 1
// ([1, C, H, W] for images, [1, N] for vectors); the data is flat and row-major (CHW).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace twain::model {

using Shape = std::vector<int64_t>;

// Index of a tensor in a graph's tensor list.
using TensorId = int;

// Largest number of elements any tensor (activation or weight) may hold: a bound on what an
// imported file can make the library allocate.
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 27;

// Largest rank a tensor may have.
inline constexpr std::size_t kMaxRank = 8;

// Product of the dimensions. Throws InvalidArgument when a dimension is below 1, the rank is
// above kMaxRank or the product exceeds kMaxTensorElements (checked without overflow).
int64_t element_count(const Shape& shape);

// "[1, 3, 224, 224]".
std::string to_string(const Shape& shape);

}  // namespace twain::model
