// Copy GOV.UK Frontend's compiled assets where the app serves them (api/static/govuk), and
// Swagger UI's (api/static/swagger) for /docs: the service loads nothing from elsewhere.
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const source = join(here, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const target = join(here, '..', 'api', 'static', 'govuk')

rmSync(target, { recursive: true, force: true })
mkdirSync(target, { recursive: true })
for (const file of ['govuk-frontend.min.css', 'govuk-frontend.min.js']) {
  cpSync(join(source, file), join(target, file))
}
cpSync(join(source, 'assets'), join(target, 'assets'), { recursive: true })
console.log(`GOV.UK Frontend assets copied to ${target}`)

const swaggerSource = join(here, 'node_modules', 'swagger-ui-dist')
const swaggerTarget = join(here, '..', 'api', 'static', 'swagger')
rmSync(swaggerTarget, { recursive: true, force: true })
mkdirSync(swaggerTarget, { recursive: true })
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png', 'LICENSE']) {
  cpSync(join(swaggerSource, file), join(swaggerTarget, file))
}
console.log(`Swagger UI assets copied to ${swaggerTarget}`)
