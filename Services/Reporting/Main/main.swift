import KinshipOutbox
import KinshipService
import ReportingService

await ServiceMain.run(.reporting) { runtime in
    try ReportingApplication.build(runtime, configuration: try ReportingConfiguration.load(), consumerOptions: try OutboxConsumerOptions.load(.reporting))
}
