import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time and resident memory of processes, read from Linux's /proc: how a measure's load split
/// between the service, Postgres, this load generator and anything else running on the machine.
enum ProcessUsage {
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Resident memory (VmRSS) in KB, or nil when the process is gone.
    static func residentKB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        // "VmRSS:\t  123456 kB"
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
    }

    /// The fields of /proc/PID/stat after the command name: [0] is field 3 (state), [1] the parent, [11]…[14]
    /// utime, stime, cutime, cstime in clock ticks.
    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 14 ? fields : nil
    }

    /// CPU ticks the process used (all its threads); with `waitedChildren`, also those of its exited children.
    static func cpuTicks(_ pid: Int32, waitedChildren: Bool = false) -> Int {
        guard let fields = statFields(pid) else { return 0 }
        let own = (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
        return waitedChildren ? own + (Int(fields[13]) ?? 0) + (Int(fields[14]) ?? 0) : own
    }

    /// CPU ticks of a PostgreSQL cluster: the postmaster, its running children (backends, walwriter,
    /// checkpointer, autovacuum) and, through the postmaster's counters, the children that exited.
    static func clusterTicks(postmaster: Int32) -> Int {
        var total = cpuTicks(postmaster, waitedChildren: true)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), pid != postmaster, let fields = statFields(pid), Int32(fields[1]) == postmaster else { continue }
            total += (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
        }
        return total
    }

    /// The whole machine's busy and idle ticks, over all cores (/proc/stat).
    static func machineTicks() -> (busy: Int, idle: Int) {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return (0, 0) }
        // user nice system idle iowait irq softirq steal (guest time is already counted in user).
        let values = line.split(separator: " ").dropFirst().prefix(8).map { Int($0) ?? 0 }
        guard values.count == 8 else { return (0, 0) }
        let idle = values[3] + values[4]
        return (values.reduce(0, +) - idle, idle)
    }
}

/// The CPU counters at one instant, to subtract from a later one.
struct CPUSnapshot: Sendable {
    let instant: ContinuousClock.Instant
    let bench: Int
    let service: Int
    let postgres: Int?
    let machineBusy: Int
    let machineIdle: Int

    /// With several processes of one service (its workers) counted together as the service.
    init(services: [Int32], postmaster: Int32?) {
        instant = .now
        bench = ProcessUsage.cpuTicks(getpid())
        service = services.reduce(0) { $0 + ProcessUsage.cpuTicks($1) }
        postgres = postmaster.map { ProcessUsage.clusterTicks(postmaster: $0) }
        let machine = ProcessUsage.machineTicks()
        machineBusy = machine.busy
        machineIdle = machine.idle
    }
}

/// Average cores each party used between two snapshots (a 2-core machine has 2.0 to share).
struct CPUShare: Sendable {
    let service: Double
    let postgres: Double?
    let bench: Double
    /// Busy time of everything else on the machine (other builds, the kernel's own work).
    let other: Double
    let idle: Double

    init(from start: CPUSnapshot, to end: CPUSnapshot) {
        let seconds = max((end.instant - start.instant).inMilliseconds / 1000, 0.001)
        func cores(_ ticks: Int) -> Double { Double(ticks) / ProcessUsage.ticksPerSecond / seconds }
        service = cores(end.service - start.service)
        bench = cores(end.bench - start.bench)
        postgres = end.postgres.flatMap { e in start.postgres.map { cores(e - $0) } }
        let busy = cores(end.machineBusy - start.machineBusy)
        other = max(0, busy - service - bench - (postgres ?? 0))
        idle = cores(end.machineIdle - start.machineIdle)
    }

    /// Shares of consecutive spans, as one share of their whole time.
    init(weighting parts: [(share: CPUShare, seconds: Double)]) {
        let total = max(parts.reduce(0) { $0 + $1.seconds }, 0.001)
        func mean(_ cores: (CPUShare) -> Double) -> Double { parts.reduce(0) { $0 + cores($1.share) * $1.seconds } / total }
        service = mean(\.service)
        postgres = parts.allSatisfy { $0.share.postgres != nil } && !parts.isEmpty ? mean { $0.postgres ?? 0 } : nil
        bench = mean(\.bench)
        other = mean(\.other)
        idle = mean(\.idle)
    }

    var summary: String {
        var parts = [String(format: "service %.2f", service)]
        if let postgres { parts.append(String(format: "postgres %.2f", postgres)) }
        parts += [String(format: "bench %.2f", bench), String(format: "other %.2f", other), String(format: "idle %.2f", idle)]
        return parts.joined(separator: ", ")
    }
}
