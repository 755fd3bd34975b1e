// The same probe behind the middleware: 200 only for a valid session.
export { GET } from '@/app/api/health/route';
