#ifndef TONEARM_LIBFUZZER_H
#define TONEARM_LIBFUZZER_H

/// Runs libFuzzer's driver on this executable's `LLVMFuzzerTestOneInput` with the command line
/// (libFuzzer flags, corpus folders or reproducer files) and returns its exit status.
///
/// SwiftPM links every executable with its own entry point, so the libFuzzer `main` that
/// `-sanitize=fuzzer` brings is not used; each fuzz target's `@main` calls this instead.
int tonearm_fuzzer_main(int argc, char **argv);

#endif
