/* Linked statically against the staged -cross packages of glib2.0 (with pcre2 and libffi),
 * pixman and zlib by bench/build-closure.mjs: each library computes something and the program
 * prints it, so a wrong or missing library shows as a link error or a wrong line. */
#include <glib.h>
#include <pixman.h>
#include <zlib.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  const char *text = "stubforge: each library built once, static, for musl";
  gchar *sha = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
  GRegex *re = g_regex_new("b(u)il(t)", 0, 0, NULL); /* GRegex is PCRE2 underneath */
  GMatchInfo *match = NULL;
  gchar *word = g_regex_match(re, text, 0, &match) ? g_match_info_fetch(match, 0) : g_strdup("-");
  uLong crc = crc32(0L, (const Bytef *)text, (uInt)strlen(text));
  Bytef packed[256];
  uLongf packed_len = sizeof packed;
  int z = compress(packed, &packed_len, (const Bytef *)text, (uLong)strlen(text));
  uint32_t bits[4 * 4];
  pixman_image_t *dst = pixman_image_create_bits(PIXMAN_a8r8g8b8, 4, 4, bits, 16);
  pixman_color_t red = { 0xffff, 0, 0, 0xffff }, half_blue = { 0, 0, 0x8000, 0x8000 };
  pixman_image_t *s1 = pixman_image_create_solid_fill(&red), *s2 = pixman_image_create_solid_fill(&half_blue);
  pixman_image_composite32(PIXMAN_OP_SRC, s1, NULL, dst, 0, 0, 0, 0, 0, 0, 4, 4);
  pixman_image_composite32(PIXMAN_OP_OVER, s2, NULL, dst, 0, 0, 0, 0, 0, 0, 4, 4);
  printf("glib %u.%u.%u: sha256(text)=%s, regex match \"%s\"\n", glib_major_version, glib_minor_version, glib_micro_version, sha, word);
  printf("zlib %s: crc32(text)=%08lx, compress %s %zu -> %lu bytes\n", zlibVersion(), crc, z == Z_OK ? "ok" : "FAILED", strlen(text), (unsigned long)packed_len);
  printf("pixman %s: red OVER 50%% blue = 0x%08x\n", pixman_version_string(), bits[5]);
  pixman_image_unref(dst); pixman_image_unref(s1); pixman_image_unref(s2);
  g_free(word); g_match_info_free(match); g_regex_unref(re); g_free(sha);
  return z == Z_OK ? 0 : 1;
}
