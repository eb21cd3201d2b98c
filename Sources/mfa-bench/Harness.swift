import Foundation

/// A tiny benchmark harness: each workload runs in rounds of about `roundSeconds`; the median
/// round's rate is reported, because the machines are shared and noisy.
struct Harness {
    var rounds = 7
    var roundSeconds = 0.25

    /// Runs `body(iterations)` and returns the median operations per second.
    func measure(_ name: String, unit: String = "op", _ body: (Int) throws -> Void) rethrows -> Double {
        // Calibrate: grow the batch until one batch takes >= 10 ms.
        var batch = 1
        while true {
            let t = try time { try body(batch) }
            if t >= 0.01 { break }
            batch *= 2
        }
        var rates: [Double] = []
        for _ in 0..<rounds {
            var iterations = 0
            var elapsed = 0.0
            while elapsed < roundSeconds {
                elapsed += try time { try body(batch) }
                iterations += batch
            }
            rates.append(Double(iterations) / elapsed)
        }
        rates.sort()
        let median = rates[rates.count / 2]
        let spread = (rates.last! - rates.first!) / median * 100
        let label = name.padding(toLength: 56, withPad: " ", startingAt: 0)
        let rate = Self.format(median)
        let shown = String(repeating: " ", count: max(0, 9 - rate.count)) + rate
        print("  \(label)\(shown) \(unit)/s   (min \(Self.format(rates.first!)), max \(Self.format(rates.last!)), "
              + String(format: "spread %.0f%%)", spread))
        return median
    }

    private func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func format(_ rate: Double) -> String {
        if rate >= 1e6 { return String(format: "%.2f M", rate / 1e6) }
        if rate >= 1e3 { return String(format: "%.1f k", rate / 1e3) }
        return String(format: "%.0f", rate)
    }
}

/// Keeps a value alive so the optimiser cannot drop the work that made it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
