// 128-bit integers (a GCC/Clang extension), named once so -Wpedantic stays quiet elsewhere.
#pragma once

namespace twain {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

}  // namespace twain
