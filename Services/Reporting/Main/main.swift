import ReportingService
import Shared

await ServiceMain.run(.reporting) { runtime in ReportingApplication.build(runtime) }
