import KinshipService
import ReportingService

await ServiceMain.run(.reporting) { runtime in ReportingApplication.build(runtime, configuration: try ReportingConfiguration.load()) }
