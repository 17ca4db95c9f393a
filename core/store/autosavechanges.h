#pragma once

#include "../model/design.h"
#include "../model/edit.h"

#include <QJsonObject>
#include <QSet>

#include <vector>

namespace converge::core {

// A design's content copied for a write on another thread: its information and its elements
// (their strings and properties are shared, not copied).
struct AutosaveSnapshot
{
    QJsonObject info;
    std::vector<Element> elements;
};

// What changed in a design since its autosave was last written, and so what the next write
// takes: the whole design at first and after requireWhole(), else an Edit that replaces the
// store rows of the changed elements by their current state and sets the changed information.
class AutosaveChanges
{
public:
    // Notes what the design's listener reported (nothing to note while the whole is due).
    void note(const std::vector<Change> &changes);
    // The next write takes the whole design (after a failed write, or to start anew).
    void requireWhole();
    bool wholeRequired() const { return m_whole; }
    // Both hand over what is due and count changes anew from `design` as it is now.
    AutosaveSnapshot takeWhole(const Design &design);
    Edit takeEdit(const Design &design);

private:
    void written(const Design &design);

    QSet<QString> m_dirty; // elements added, removed or changed since the last write
    bool m_infoDirty = false;
    bool m_whole = true;
    QJsonObject m_writtenInfo; // the design's information as last written
};

} // namespace converge::core
