#include "model/shape.hpp"

#include "core/errors.hpp"

namespace twain::model {

int64_t element_count(const Shape& shape) {
  TWAIN_REQUIRE(shape.size() <= kMaxRank, InvalidArgument,
                "tensor shape " + to_string(shape) + " has rank above " + std::to_string(kMaxRank));
  int64_t count = 1;
  for (int64_t dim : shape) {
    TWAIN_REQUIRE(dim >= 1, InvalidArgument, "tensor shape " + to_string(shape) + " has a dimension below 1");
    TWAIN_REQUIRE(dim <= kMaxTensorElements / count, InvalidArgument,
                  "tensor shape " + to_string(shape) + " holds more than " + std::to_string(kMaxTensorElements) +
                      " elements");
    count *= dim;
  }
  return count;
}

std::string to_string(const Shape& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

}  // namespace twain::model
