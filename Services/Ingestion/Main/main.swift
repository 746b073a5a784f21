import IngestionService
import KinshipService

await ServiceMain.run(.ingestion) { runtime in
    try IngestionApplication.build(runtime, configuration: try IngestionConfiguration.load())
}
