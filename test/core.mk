# Unit tests (GoogleTest) and fuzz harnesses of the pure C++ core. Built outside PGXS, with the
# same warnings, and without any PostgreSQL header on the include path.
CORE_SOURCES = $(CORE_OBJS:.o=.cpp)
UNIT_SOURCES = $(wildcard test/unit/*.cpp)
# GCC 12 reports maybe-uninitialized inside Boost's cpp_int when the sanitizers instrument it: a
# known false positive in code that is not ours.
TEST_CXXFLAGS = $(LEDGER_CXXFLAGS) -Wno-maybe-uninitialized -O1 -g -fsanitize=address,undefined \
                -fno-sanitize-recover=all

build/core_tests: $(CORE_SOURCES) $(UNIT_SOURCES) $(GENERATED) $(wildcard src/core/*.hpp)
	@mkdir -p build
	$(CXX) $(TEST_CXXFLAGS) -Isrc/core -o $@ $(CORE_SOURCES) $(UNIT_SOURCES) -lgtest -lgtest_main -pthread

# The fuzz harnesses run under libFuzzer with clang; fuzz-smoke runs each for FUZZ_RUNS inputs: it
# replays the committed seeds (test/fuzz/corpus for fuzz_money, test/fuzz/corpus_binary for
# fuzz_binary) and then tries new inputs, which libFuzzer keeps in a scratch corpus under build/.
build/fuzz_%: test/fuzz/fuzz_%.cpp test/fuzz/fuzz_support.hpp $(CORE_SOURCES) $(GENERATED)
	@mkdir -p build
	clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/core -o $@ $< $(CORE_SOURCES)

.PHONY: core-test fuzz-smoke
core-test: build/core_tests
	build/core_tests

FUZZ_RUNS ?= 100000
fuzz-smoke: build/fuzz_money build/fuzz_binary
	@mkdir -p build/fuzz_corpus build/fuzz_corpus_binary
	build/fuzz_money -runs=$(FUZZ_RUNS) -seed=1 build/fuzz_corpus test/fuzz/corpus
	build/fuzz_binary -runs=$(FUZZ_RUNS) -seed=1 build/fuzz_corpus_binary test/fuzz/corpus_binary
