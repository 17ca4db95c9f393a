#pragma once

// What bench-agent-metering measured in each round, and how it prints it.
#include "processfootprint.h"

#include <QTextStream>

#include <vector>

namespace converge::bench {

// One "metering" event: its series (of which the vNICs' and their meter ACLs') and the size of
// its data as compact JSON, which is what the agent keeps for back-fill.
struct BatchShape
{
    qsizetype series = 0;
    qsizetype vnicSeries = 0;
    qsizetype aclSeries = 0;
    qsizetype bytes = 0;
    qsizetype keptBytes = 0; // what the agent's buffer keeps of it (compressed, as StreamHub does)
};

struct AgentFigures
{
    Footprint use;
    qint64 events = 0;
    BatchShape batch; // the largest batch seen
};

struct ExporterFigures
{
    Footprint use;
    qint64 scrapes = 0;
    qint64 bytes = 0;  // of the last scrape's body
    qint64 series = 0; // lines of the last scrape not starting with '#'
};

struct Round
{
    AgentFigures metering, baseline;
    ExporterFigures exporter;
};

void printRound(QTextStream &out, int n, const Round &r);
// The medians over ROUNDS, metering's cost, the ratio to node_exporter and the targets; the
// metering phases ran MEASUREDSEC each (warm-up included) for the back-fill buffer's share.
void printMedians(QTextStream &out, const std::vector<Round> &rounds, int measuredSec);

} // namespace converge::bench
