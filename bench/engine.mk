# bench/engine's peer: ns-3's simulator core (C++), Debian libns3-dev 3.37 (+ libgsl-dev to link).
# Only build/bench/engine links it; `make test` never builds bench objects.
NS3_CXXFLAGS := -std=c++17 -O2 -g -I. -w
BENCH_LIBS_engine := -lns3-core -lgsl -lgslcblas -lstdc++

$(BUILD)/obj/bench/ns3_phold.o: bench/ns3_phold.cc bench/ns3_phold.h
	@mkdir -p $(@D)
	$(CXX) $(NS3_CXXFLAGS) -c $< -o $@

# a prerequisite (so it lands in the link line's $^ and a change relinks)
$(BUILD)/bench/engine: $(BUILD)/obj/bench/ns3_phold.o
