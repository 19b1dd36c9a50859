/*
 * dga_embed.c — the shipped DGA model (src/detect/dga.model), linked into
 * the binary so `sakimori scan` judges names with no file to find.
 *
 * The assembler's .incbin copies the file's bytes into .rodata between two
 * symbols; CMake passes the absolute path (SK_DGA_MODEL_FILE) and rebuilds
 * this file when the model changes. The model is text (sakimori/dga.h);
 * `sakimori intel train-dga` derives it from top-site lists.
 */
#ifndef SK_DGA_MODEL_FILE
#error "SK_DGA_MODEL_FILE must name src/detect/dga.model (set by CMakeLists.txt)"
#endif

__asm__(".section .rodata\n"
        ".global sk__dga_model_text\n"
        ".global sk__dga_model_end\n"
        ".balign 16\n"
        "sk__dga_model_text:\n"
        ".incbin \"" SK_DGA_MODEL_FILE "\"\n"
        "sk__dga_model_end:\n"
        ".byte 0\n"
        ".previous\n");
