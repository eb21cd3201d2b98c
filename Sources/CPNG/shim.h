#ifndef MFA_CPNG_SHIM_H
#define MFA_CPNG_SHIM_H
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/* A growable memory buffer that libpng writes into. */
typedef struct mfa_png_buffer {
    unsigned char *data;
    size_t size;
    size_t capacity;
    int failed;
} mfa_png_buffer;

static void mfa_png_write_cb(png_structp png, png_bytep bytes, png_size_t length) {
    mfa_png_buffer *buf = (mfa_png_buffer *)png_get_io_ptr(png);
    if (buf->failed) return;
    if (buf->size + length > buf->capacity) {
        size_t cap = buf->capacity ? buf->capacity : 1024;
        while (cap < buf->size + length) cap *= 2;
        unsigned char *grown = (unsigned char *)realloc(buf->data, cap);
        if (grown == NULL) { buf->failed = 1; return; }
        buf->data = grown;
        buf->capacity = cap;
    }
    memcpy(buf->data + buf->size, bytes, length);
    buf->size += length;
}

static void mfa_png_flush_cb(png_structp png) { (void)png; }

static void mfa_png_error_cb(png_structp png, png_const_charp msg) {
    (void)msg;
    png_longjmp(png, 1);
}

static void mfa_png_warning_cb(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

/*
 * Writes a grayscale PNG of the given bit depth (1 or 8) from packed rows into `out`.
 * libpng reports errors with longjmp, which Swift cannot catch, so the whole write
 * happens here behind setjmp. Returns 0 on success and -1 on any libpng error; on
 * success the caller owns out->data and frees it with free().
 */
static inline int mfa_png_write_gray(const unsigned char *rows, unsigned int width, unsigned int height,
                                     size_t row_bytes, int bit_depth, int compression_level,
                                     mfa_png_buffer *out) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, mfa_png_error_cb, mfa_png_warning_cb);
    if (png == NULL) return -1;
    png_infop info = png_create_info_struct(png);
    if (info == NULL) { png_destroy_write_struct(&png, NULL); return -1; }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_set_write_fn(png, out, mfa_png_write_cb, mfa_png_flush_cb);
    png_set_compression_level(png, compression_level);
    png_set_filter(png, 0, PNG_FILTER_NONE);
    png_set_IHDR(png, info, width, height, bit_depth, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (unsigned int y = 0; y < height; y++) {
        png_write_row(png, (png_const_bytep)(rows + (size_t)y * row_bytes));
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return out->failed ? -1 : 0;
}

static inline void mfa_png_buffer_free(mfa_png_buffer *buf) {
    free(buf->data);
    buf->data = NULL;
    buf->size = 0;
    buf->capacity = 0;
}
#endif
