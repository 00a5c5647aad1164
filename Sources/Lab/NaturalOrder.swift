/// Node names in natural order: runs of digits compare as numbers, so `proxy-2` comes before
/// `proxy-10` (the original sorted lexicographically, which silently decided groups, the GC
/// leader and the kill target).
public enum NaturalOrder {
    public static func less(_ a: String, _ b: String) -> Bool {
        var i = a.unicodeScalars.makeIterator(), j = b.unicodeScalars.makeIterator()
        var x = i.next(), y = j.next()
        while let cx = x, let cy = y {
            if cx.properties.numericType == .decimal, cy.properties.numericType == .decimal {
                var na = "", nb = ""
                while let c = x, c.properties.numericType == .decimal { na.unicodeScalars.append(c); x = i.next() }
                while let c = y, c.properties.numericType == .decimal { nb.unicodeScalars.append(c); y = j.next() }
                let ta = na.drop { $0 == "0" }, tb = nb.drop { $0 == "0" }
                if ta.count != tb.count { return ta.count < tb.count }
                if ta != tb { return ta < tb }
                if na.count != nb.count { return na.count < nb.count }
            } else {
                if cx != cy { return cx.value < cy.value }
                x = i.next()
                y = j.next()
            }
        }
        return x == nil && y != nil
    }

    public static func sorted(_ names: [String]) -> [String] { names.sorted(by: less) }

    /// The name with leading zeros dropped from every run of digits: `client-00` and `client-0` are
    /// the same node to natural order (neither sorts before the other), so they must not both exist.
    public static func canonical(_ name: String) -> String {
        var out = String.UnicodeScalarView(), digits = String.UnicodeScalarView()
        func flush() {
            let kept = digits.drop { $0 == "0" }
            out.append(contentsOf: kept.isEmpty && !digits.isEmpty ? ["0"] : Array(kept))
            digits.removeAll()
        }
        for c in name.unicodeScalars {
            if c.properties.numericType == .decimal { digits.append(c) } else { flush(); out.append(c) }
        }
        flush()
        return String(out)
    }
}
