import IngestionService
import Shared

await ServiceMain.run(.ingestion) { runtime in
    try IngestionApplication.build(runtime, configuration: try IngestionConfiguration.load())
}
