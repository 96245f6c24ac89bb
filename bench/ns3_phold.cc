// ns3_phold: see ns3_phold.h. The peer side of bench/engine.c, on ns-3's own Simulator API.
#include "bench/ns3_phold.h"

#include <cmath>
#include <ctime>
#include <cstdlib>
#include <malloc.h>
#include <vector>

#include "ns3/nstime.h"
#include "ns3/object-factory.h"
#include "ns3/simulator.h"

namespace
{

// xoshiro256** seeded through splitmix64, as engine/rng.c
struct Rng
{
    uint64_t s[4];
};

uint64_t
Splitmix(uint64_t* x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t
Rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t
Next(Rng* r)
{
    uint64_t* s = r->s;
    uint64_t result = Rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = Rotl(s[3], 45);
    return result;
}

struct Phold
{
    Rng rng;
    uint32_t nLP;
    double meanUs;
    uint64_t left;
    uint64_t done;
    uint64_t digest;
    double t0, budget;
    std::vector<uint64_t> count;
};

Phold g;

double
CpuNow()
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int64_t
Delay()
{
    double u = (double)(Next(&g.rng) >> 11) * 0x1.0p-53;
    return (int64_t)(-g.meanUs * std::log1p(-u));
}

uint32_t
Dest()
{
    return (uint32_t)(((unsigned __int128)Next(&g.rng) * g.nLP) >> 64);
}

void
Event(uint32_t dest)
{
    g.count[dest]++;
    g.digest += dest;
    g.done++;
    if (--g.left == 0 || ((g.done & 4095) == 0 && CpuNow() - g.t0 > g.budget))
    {
        ns3::Simulator::Stop();
    }
    int64_t d = Delay();
    ns3::Simulator::Schedule(ns3::NanoSeconds(d * 1000), &Event, Dest());
}

size_t
HeapInUse()
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

} // namespace

extern "C" int
ns3_phold_run(const char* zScheduler, uint32_t nPending, uint32_t nLP, double meanUs, uint64_t nEvents,
              double popBudgetS, double budgetS, uint64_t seed, ns3_phold_result* pOut)
{
    ns3::ObjectFactory factory;
    factory.SetTypeId(zScheduler);
    ns3::Simulator::SetScheduler(factory);
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
    {
        g.rng.s[i] = Splitmix(&x);
    }
    g.nLP = nLP;
    g.meanUs = meanUs;
    g.left = nEvents;
    g.digest = 0;
    g.count.assign(nLP, 0);
    ns3::Simulator::Now(); // creates the simulator before the baseline
    size_t before = HeapInUse();
    double tPop = CpuNow();
    pOut->populated = 0;
    for (uint32_t i = 0; i < nPending; i++)
    {
        ns3::Simulator::Schedule(ns3::NanoSeconds(Delay() * 1000), &Event, i % nLP);
        if ((i & 4095) == 4095 && CpuNow() - tPop > popBudgetS)
        {
            pOut->populated = i + 1;
            pOut->populate_s = CpuNow() - tPop;
            pOut->events = 0;
            pOut->events_per_s = 0;
            pOut->bytes_per_event = 0;
            ns3::Simulator::Destroy();
            return 1;
        }
    }
    pOut->populated = nPending;
    pOut->populate_s = CpuNow() - tPop;
    g.done = 0;
    g.budget = budgetS;
    g.t0 = CpuNow();
    ns3::Simulator::Run();
    double sec = CpuNow() - g.t0;
    size_t after = HeapInUse();
    pOut->events_per_s = (double)g.done / sec;
    pOut->events = g.done;
    pOut->bytes_per_event = after > before ? (double)(after - before) / nPending : 0;
    pOut->digest = g.digest;
    ns3::Simulator::Destroy();
    return 0;
}

extern "C" const char*
ns3_phold_version(void)
{
    return "3.37";
}
