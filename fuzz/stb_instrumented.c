/* stb's image decoder, resizer and writer compiled here, with the fuzz build's coverage and
 * sanitizer flags, in place of Debian's uninstrumented libstb: libFuzzer then sees (and ASan
 * checks) the decoder's own branches and memory accesses. */
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image.h>
#include <stb_image_resize.h>
#include <stb_image_write.h>
