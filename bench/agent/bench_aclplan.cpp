// bench-acl-plan: what the agent does with a `plan` request whose one ACL lists 2,000 local and
// 2,000 remote ports (issue 13 item 3): read the host-state form, make the plan (the bridge's
// flow table) against an empty host. Prints the request's size, the flows, and the median time
// and the peak memory (RSS) of RUNS runs. No root, no Open vSwitch. STEP 2 lists every other
// port, which no mask can join: the most flows a list of that length can make.
//   usage: bench-acl-plan [RUNS] [PORTS] [STEP]
#include "core/realize/planner.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <sys/resource.h>

#include <algorithm>

using namespace converge;

namespace {

QJsonArray ports(int first, int count, int step)
{
    QJsonArray out;
    for (int i = 0; i < count; ++i)
        out.append(first + i * step);
    return out;
}

// One bridge, one vNIC port with one inbound ACL of PORTS local x PORTS remote ports.
QJsonObject request(int count, int step)
{
    const QJsonObject acl{{QStringLiteral("direction"), QStringLiteral("in")},
                          {QStringLiteral("action"), QStringLiteral("allow")},
                          {QStringLiteral("protocol"), QStringLiteral("tcp")},
                          {QStringLiteral("localPorts"), ports(1000, count, step)},
                          {QStringLiteral("remotePorts"), ports(30000, count, step)}};
    const QJsonObject port{
        {QStringLiteral("name"), QStringLiteral("vm1")},
        {QStringLiteral("type"), QStringLiteral("system")},
        {QStringLiteral("policy"),
         QJsonObject{{QStringLiteral("mac"), QStringLiteral("02:cf:00:00:00:01")},
                     {QStringLiteral("acls"), QJsonArray{acl}}}}};
    const QJsonObject bridge{{QStringLiteral("name"), QStringLiteral("lab")},
                             {QStringLiteral("datapathType"), QStringLiteral("netdev")},
                             {QStringLiteral("ports"), QJsonArray{port}}};
    return {{QStringLiteral("host"), QStringLiteral("lab1")},
            {QStringLiteral("bridges"), QJsonArray{bridge}}};
}

qsizetype flowCount(const core::realize::Plan &p)
{
    qsizetype n = 0;
    for (const core::realize::Operation &op : p.ops)
        n += op.flows.size();
    return n;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int runs = argc > 1 ? std::max(1, atoi(argv[1])) : 5;
    const int count = argc > 2 ? std::max(1, atoi(argv[2])) : 2000;
    const int step = argc > 3 ? std::max(1, atoi(argv[3])) : 1;
    const QByteArray text = QJsonDocument(request(count, step)).toJson(QJsonDocument::Compact);
    QTextStream out(stdout);
    out << "request: one ACL, " << count << " local x " << count << " remote ports (every " << step
        << "), " << text.size() << " bytes\n";
    std::vector<double> ms;
    qsizetype flows = 0;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        auto desired = core::realize::HostState::fromJson(QJsonDocument::fromJson(text).object());
        if (!desired) {
            out << "refused: " << desired.error().message << "\n";
            return 1;
        }
        const core::realize::Plan plan = core::realize::makePlan(*desired, {});
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
        flows = flowCount(plan);
        out << "run " << i + 1 << ": " << ms.back() << " ms, " << flows << " flows\n";
        out.flush();
    }
    std::ranges::sort(ms);
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    out << "median " << ms[ms.size() / 2] << " ms over " << runs << " runs; " << flows
        << " flows; peak RSS " << usage.ru_maxrss / 1024 << " MiB\n";
    return 0;
}
