#include "core/errors.hpp"

// Anchors the exception vtables in one translation unit.
namespace twain {}
